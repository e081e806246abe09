"""`pdgov hold add|list|release` and `pdgov retention --date D [--dry-run]`."""

from __future__ import annotations

import argparse
import json

from pdgov.cli_types import iso_date


def register(sub: argparse._SubParsersAction) -> None:
    p_hold = sub.add_parser("hold", help="legal holds (資料保全): data that must not be deleted")
    hs = p_hold.add_subparsers(dest="hold_command", required=True)
    add = hs.add_parser("add", help="hold an agency's dataset for a period")
    add.add_argument("--agency", required=True, help="agency code, e.g. 379000000A")
    add.add_argument("--dataset", required=True, help="dataset as in retention_rules, e.g. punches")
    add.add_argument("--from", dest="period_start", type=iso_date, required=True, help="first held day (anchor date)")
    add.add_argument("--to", dest="period_end", type=iso_date, required=True, help="last held day")
    add.add_argument("--reason", required=True, help="保全事由, e.g. case or incident number")
    add.add_argument("--by", default=None, help="who places the hold (default: login name)")
    add.set_defaults(func=cmd_hold_add)
    ls = hs.add_parser("list", help="active holds (--all: released ones too)")
    ls.add_argument("--all", action="store_true")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_hold_list)
    rel = hs.add_parser("release", help="release a hold: its data becomes due again")
    rel.add_argument("hold_id")
    rel.add_argument("--reason", required=True, help="解除事由")
    rel.add_argument("--by", default=None)
    rel.set_defaults(func=cmd_hold_release)

    p_ret = sub.add_parser("retention", help="enforce deletion deadlines now (or --dry-run to see what would go)")
    p_ret.add_argument("--date", type=iso_date, required=True, help="as-of date, YYYY-MM-DD (the models must be built for it)")
    p_ret.add_argument("--dry-run", action="store_true", help="print what would be deleted; change nothing")
    p_ret.add_argument("--override-share", action="store_true",
                       help="allow deleting more than PDGOV_RETENTION_MAX_SHARE of a dataset / a future date")
    p_ret.add_argument("--run-id", default=None, help="run id recorded in the evidence (default: manual__<date>)")
    p_ret.set_defaults(func=cmd_retention)


def cmd_hold_add(args: argparse.Namespace) -> int:
    from pdgov.retention import holds
    from pdgov.warehouse import connect

    with connect() as con:
        h = holds.add(con, args.agency, args.dataset, args.period_start, args.period_end, args.reason, args.by)
    print(f"pdgov: hold {h.hold_id} placed on {h.agency_code} {h.dataset} {h.period_start}..{h.period_end} "
          f"by {h.created_by}: {h.reason}")
    return 0


def cmd_hold_list(args: argparse.Namespace) -> int:
    from pdgov.retention import holds
    from pdgov.warehouse import connect

    with connect() as con:
        rows = holds.list_holds(con, include_released=args.all)
    if args.json:
        print(json.dumps([h.__dict__ for h in rows], default=str, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("pdgov: no holds" + ("" if args.all else " in force"))
        return 0
    print(f"{'hold_id':12}  {'agency':10}  {'dataset':15}  {'from':10}  {'to':10}  {'by':12}  {'placed':16}  "
          f"{'released':16}  reason")
    for h in rows:
        rel = f"{h.released_at:%Y-%m-%d %H:%M}" if h.released_at else "-"
        print(f"{h.hold_id:12}  {h.agency_code:10}  {h.dataset:15}  {h.period_start}  {h.period_end}  "
              f"{h.created_by[:12]:12}  {h.created_at:%Y-%m-%d %H:%M}  {rel:16}  {h.reason}")
    return 0


def cmd_hold_release(args: argparse.Namespace) -> int:
    from pdgov.retention import holds
    from pdgov.warehouse import connect

    with connect() as con:
        h = holds.release(con, args.hold_id, args.reason, args.by)
    print(f"pdgov: hold {h.hold_id} released by {h.released_by}; its data is due again from the next run")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    from pdgov.retention.purge import enforce, format_plan

    run_id = args.run_id or f"manual__{args.date.isoformat()}"
    summary = enforce(run_id, args.date, dry_run=args.dry_run, override=args.override_share)
    print(format_plan(summary))
    if not args.dry_run and summary.get("rebuilt"):
        print(f"pdgov: deleted; warehouse rebuilt in {summary['rebuild_seconds']}s; evidence in main.deletion_evidence")
    return 0
