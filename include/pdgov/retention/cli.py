"""`pdgov hold add|list|release`, `pdgov retention --date D [--dry-run]`, `pdgov retention pending` and
`pdgov retention approve (BATCH… | --all) --by NAME --ref 簽文號`."""

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
    p_ret.add_argument("--date", type=iso_date, default=None,
                       help="as-of date, YYYY-MM-DD (the models must be built for it); required without a sub-command")
    p_ret.add_argument("--dry-run", action="store_true", help="print what would be deleted; change nothing")
    p_ret.add_argument("--override-share", action="store_true",
                       help="allow deleting more than PDGOV_RETENTION_MAX_SHARE of a dataset / a future date")
    p_ret.add_argument("--run-id", default=None, help="run id recorded in the evidence (default: manual__<date>)")
    p_ret.set_defaults(func=cmd_retention)
    rs = p_ret.add_subparsers(dest="retention_command", required=False)
    pend = rs.add_parser("pending", help="deletion batches proposed by the nightly runs and awaiting approval")
    pend.add_argument("--all", action="store_true", help="approved and deleted batches too")
    pend.add_argument("--json", action="store_true")
    pend.set_defaults(func=cmd_pending)
    appr = rs.add_parser("approve", help="record the signed approval (簽奉核定, seed 002 §21) of deletion batches")
    which = appr.add_mutually_exclusive_group(required=True)
    which.add_argument("batch", nargs="*", default=[], help="batch id(s) as `pending` lists them")
    which.add_argument("--all", action="store_true", help="every batch awaiting approval")
    appr.add_argument("--by", required=True, help="who approved (核定人)")
    appr.add_argument("--ref", required=True, help="reference of the signed document (簽文號)")
    appr.set_defaults(func=cmd_approve)
    end = rs.add_parser("end-of-use", help="record that an agency's use of a case's WebIR results ended "
                                           "(seed 004 §11(2)2: deleted within one month)")
    end.add_argument("--agency", required=True, help="agency code holding the results")
    end.add_argument("--case", required=True, dest="case_no", help="case number (案號) the queries carry")
    end.add_argument("--date", dest="ended", type=iso_date, required=True, help="day the use ended (使用結束日)")
    end.add_argument("--note", default=None)
    end.add_argument("--by", default=None, help="who records it (default: login name)")
    end.set_defaults(func=cmd_end_of_use)
    done = rs.add_parser("task-done", help="record an agency's evidence that it carried out a deletion task")
    done.add_argument("task_id", help="task id as the 刪除作業 sheet lists it")
    done.add_argument("--on", dest="done_on", type=iso_date, required=True, help="day it was done")
    done.add_argument("--by", required=True, help="who reports it (回報人)")
    done.add_argument("--ref", required=True, help="document that proves it (佐證文號), e.g. a vendor certificate")
    done.add_argument("--note", default=None)
    done.set_defaults(func=cmd_task_done)


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


def cmd_pending(args: argparse.Namespace) -> int:
    from pdgov.config import paths
    from pdgov.retention import approvals
    from pdgov.warehouse import connect

    rows = []
    if paths().warehouse.exists():  # no warehouse yet: no night has proposed anything
        with connect(read_only=True) as con:
            rows = approvals.pending(con, include_done=args.all)
    if args.json:
        print(json.dumps(rows, default=str, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("pdgov: no deletion batch awaits approval" + ("" if not args.all else " (none proposed)"))
        return 0
    print(f"{'batch_id':22}  {'status':8}  {'rows':>9}  {'period':21}  {'delete_by':10}  {'agencies':>8}  approved")
    for r in rows:
        who = f"{r['approved_by']} {r['approval_ref']}" if r["approved_by"] else "-"
        print(f"{r['batch_id']:22}  {r['status']:8}  {r['rows_due']:>9}  {r['period_start']}..{r['period_end']}  "
              f"{r['delete_by']}  {r['agency_count']:>8}  {who}")
    return 0


def cmd_approve(args: argparse.Namespace) -> int:
    import sys

    from pdgov.retention import approvals
    from pdgov.warehouse import connect

    if not args.all and not args.batch:
        print("pdgov: name the batch(es) to approve, or pass --all", file=sys.stderr)
        return 2
    try:
        with connect() as con:  # the writer lock: never between a night's plan and its deletion
            done = approvals.approve(con, None if args.all else args.batch, args.by, args.ref)
    except approvals.ApprovalError as exc:
        print(f"pdgov: {exc}", file=sys.stderr)
        return 2
    for a in done:
        print(f"pdgov: {a.batch_id} approved by {a.approved_by} ({a.approval_ref}); deleted by the next run")
    if not done:
        print("pdgov: no deletion batch awaits approval")
    return 0


def cmd_end_of_use(args: argparse.Namespace) -> int:
    import sys

    from pdgov.retention import tasks
    from pdgov.warehouse import connect

    try:
        with connect() as con:
            tasks.record_use_end(con, args.agency, args.case_no, args.ended, args.note, args.by)
    except tasks.TaskError as exc:
        print(f"pdgov: {exc}", file=sys.stderr)
        return 2
    print(f"pdgov: {args.agency} case {args.case_no}: use ended {args.ended}; its WebIR results are due for "
          "deletion one month later (task listed from the next run)")
    return 0


def cmd_task_done(args: argparse.Namespace) -> int:
    import sys

    from pdgov.retention import tasks
    from pdgov.warehouse import connect

    try:
        with connect() as con:
            agency = tasks.record_done(con, args.task_id, args.done_on, args.by, args.ref, args.note)
    except tasks.TaskError as exc:
        print(f"pdgov: {exc}", file=sys.stderr)
        return 2
    print(f"pdgov: task {args.task_id} of {agency} done on {args.done_on} ({args.ref}); shown from the next run")
    return 0


def cmd_retention(args: argparse.Namespace) -> int:
    import sys

    from pdgov.retention.purge import enforce, format_plan

    if args.date is None:
        print("pdgov: retention needs --date (or a sub-command: pending, approve)", file=sys.stderr)
        return 2

    run_id = args.run_id or f"manual__{args.date.isoformat()}"
    summary = enforce(run_id, args.date, dry_run=args.dry_run, override=args.override_share)
    print(format_plan(summary))
    if not args.dry_run and summary.get("rebuilt"):
        print(f"pdgov: deleted; warehouse rebuilt in {summary['rebuild_seconds']}s; evidence in main.deletion_evidence")
    return 0
