"""`pdgov incident declare|notify|status|resend`: the incident handler's commands."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from pdgov import clock
from pdgov.cli_types import iso_date


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("incident", help="personal-data incidents (個資事件): declare, notify, clock")
    s = p.add_subparsers(dest="incident_command", required=True)
    dec = s.add_parser("declare", help="declare an incident from a JSON file and send its §45 report now (notices wait for confirm)")
    dec.add_argument("file", type=Path, help="JSON object with the declaration fields (see docs/incidents.md)")
    dec.add_argument("--date", type=iso_date, default=None, help="as-of date for the models (default: today, Taipei)")
    dec.set_defaults(func=cmd_declare)
    no = s.add_parser("notify", help="queue, escalate and deliver what the incident models require")
    no.add_argument("--date", type=iso_date, default=None)
    no.set_defaults(func=cmd_notify)
    st = s.add_parser("status", help="the four-hour clock and the outbox per incident")
    st.add_argument("--json", action="store_true")
    st.set_defaults(func=cmd_status)
    co = s.add_parser("confirm", help="confirm an incident's scope (seed 002 §44): its subject notices go now")
    co.add_argument("incident_id")
    co.add_argument("--by", required=True, help="who confirms (recorded with the time)")
    co.add_argument("--note", default=None, help="what was checked (recorded)")
    co.add_argument("--date", type=iso_date, default=None)
    co.set_defaults(func=cmd_confirm)
    sp = s.add_parser("step", help="record a §43 response step (1-13) as taken")
    sp.add_argument("incident_id")
    sp.add_argument("step", type=int, help="1-13: seed 002 §43 (一)-(十三)")
    sp.add_argument("--by", required=True)
    sp.add_argument("--at", default=None, help="when it was taken, YYYY-MM-DD HH:MM (default: now, Taipei)")
    sp.add_argument("--note", default=None)
    sp.set_defaults(func=cmd_step)
    rs = s.add_parser("resend", help="return an in_doubt message to the queue after checking the mail log")
    rs.add_argument("message_id", help="the Message-ID, e.g. '<…@pdgov.taipei>'")
    rs.add_argument("--reason", required=True, help="what the mail log showed (recorded as last_error)")
    rs.set_defaults(func=cmd_resend)


def _run_id(kind: str) -> str:
    return f"{kind}__{clock.now():%Y-%m-%dT%H:%M:%S}"


def cmd_declare(args: argparse.Namespace) -> int:
    from pdgov.incidents.declaration import DeclarationError
    from pdgov.incidents.run import handle

    conf = json.loads(args.file.read_text(encoding="utf-8-sig"))
    try:
        result = handle(conf, _run_id("incident"), args.date or clock.today())
    except DeclarationError as exc:
        print("pdgov: " + "\n  - ".join([str(exc).split(":")[0], *exc.problems]))
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0 if not result.get("smtp_error") else 1


def cmd_notify(args: argparse.Namespace) -> int:
    from pdgov.notifications.outbox import process

    result = process(_run_id("notify"), args.date or clock.today())
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0 if not result.get("smtp_error") else 1


def cmd_status(args: argparse.Namespace) -> int:
    from pdgov.warehouse import connect

    with connect(read_only=True) as con:
        cur = con.execute("""
            SELECT l.incident_id, l.known_at, l.report_due_at, l.report_sent_at, l.clock_status, l.escalated_at,
                   l.people, l.notices_sent, l.authority_report_required, l.authority_due_at,
                   l.scope_confirmed_by, l.scope_confirmed_at, l.scope_confirmed_via, l.bli_report_required,
                   l.bli_report_sent_at,
                   (SELECT count(*) FROM main.notification_outbox o WHERE o.incident_id = l.incident_id
                      AND o.status IN ('pending', 'sending')) AS waiting,
                   (SELECT count(*) FROM main.notification_outbox o WHERE o.incident_id = l.incident_id
                      AND o.status = 'in_doubt') AS in_doubt,
                   (SELECT count(*) FROM main.notification_outbox o WHERE o.incident_id = l.incident_id
                      AND o.status = 'failed') AS failed
            FROM main.incidents_log l ORDER BY l.known_at""")
        cols = [d[0] for d in cur.description]
        rows = [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, default=str, indent=1))
        return 0
    for r in rows:
        print(f"{r['incident_id']}: {r['clock_status']} (known {r['known_at']}, due {r['report_due_at']}, "
              f"report sent {r['report_sent_at'] or '—'}); notices {r['notices_sent']}/{r['people']}, "
              f"waiting {r['waiting']}, in doubt {r['in_doubt']}, failed {r['failed']}"
              + (f"; escalated {r['escalated_at']}" if r["escalated_at"] else "")
              + (f"; 勞保局 report sent {r['bli_report_sent_at'] or '—'}" if r["bli_report_required"] else "")
              + (f"; scope confirmed by {r['scope_confirmed_by']} ({r['scope_confirmed_via']}) at "
                 f"{r['scope_confirmed_at']}" if r["scope_confirmed_by"] else "; scope NOT confirmed: notices wait for "
                 f"`pdgov incident confirm {r['incident_id']} --by NAME`"))
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    """Record the confirmation (writer lock held for the whole command), then queue and send."""
    from pdgov.incidents.records import VIA_CLI, UnknownIncident, confirm
    from pdgov.notifications.outbox import process
    from pdgov.warehouse import connect

    try:
        with connect() as con:
            rec, new = confirm(con, args.incident_id, args.by, VIA_CLI, note=args.note)
    except (UnknownIncident, ValueError) as exc:
        print(f"pdgov: {exc.args[0] if exc.args else exc}")
        return 2
    if new:
        print(f"pdgov: {args.incident_id}: scope of {rec['people_at_confirmation']} people confirmed by "
              f"{rec['confirmed_by']} at {rec['confirmed_at']:%Y-%m-%d %H:%M:%S}")
    else:
        print(f"pdgov: {args.incident_id}: already confirmed by {rec['confirmed_by']} ({rec['via']}) at "
              f"{rec['confirmed_at']:%Y-%m-%d %H:%M:%S}; sending what is still due")
    result = process(_run_id("confirm"), args.date or clock.today())
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0 if not result.get("smtp_error") else 1


def cmd_step(args: argparse.Namespace) -> int:
    from pdgov.incidents.declaration import parse_timestamp
    from pdgov.incidents.records import UnknownIncident, record_step
    from pdgov.warehouse import connect

    try:
        at = parse_timestamp(args.at) if args.at else None
        with connect() as con:
            done = record_step(con, args.incident_id, args.step, args.by, at=at, note=args.note)
    except (UnknownIncident, ValueError) as exc:
        print(f"pdgov: {exc.args[0] if exc.args else exc}")
        return 2
    print(f"pdgov: {done['incident_id']} §43 step {done['step_no']} ({done['step']}) done at "
          f"{done['done_at']:%Y-%m-%d %H:%M} by {done['done_by']}")
    return 0


def cmd_resend(args: argparse.Namespace) -> int:
    from pdgov.warehouse import connect

    with connect() as con:
        n = con.execute("""UPDATE main.notification_outbox SET status = 'pending', last_error = ?
                           WHERE message_id = ? AND status = 'in_doubt' RETURNING message_id""",
                        [f"requeued by hand: {args.reason}", args.message_id]).fetchall()
    print(f"pdgov: {len(n)} message(s) back in the queue; `pdgov incident notify` sends them")
    return 0 if n else 1

