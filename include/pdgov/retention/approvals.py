"""Deletion waits for a signed approval (seed 002 §21 簽奉核定; §23 impact and notice to the agencies).

Each night proposes, per retention rule and calendar month of data, the batch that fell due: how
many rows, which rule and basis, which agencies' data it is (the agencies that used it and are
told). A batch id is stable per rule and period (``PUNCH_5Y-202106``), so the same batch is
proposed once and updated, never duplicated. A person approves it (``pdgov retention approve``)
with their name and the 簽文號; the first night after that deletes it, and the evidence carries
who approved, when and under which reference. Nothing is deleted that was not approved.

The approval covers the whole month: rows of an approved month that fall due on later nights are
deleted as they fall due. A batch still unapproved after its deadline (``delete_by``: month end +
retention + 1 day) is ``overdue``: red in the workbook and mailed once to the approver.
"""

from __future__ import annotations

import calendar
import getpass
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import duckdb

from pdgov import clock

log = logging.getLogger("pdgov.retention")

KIND_OVERDUE = "deletion_overdue"
APPROVER_VARIABLE = "pdgov_deletion_approver"

DDL = [
    """CREATE TABLE IF NOT EXISTS main.deletion_proposals (
        batch_id VARCHAR PRIMARY KEY, rule_id VARCHAR, dataset VARCHAR, dataset_zh VARCHAR,
        period_start DATE, period_end DATE, delete_by DATE, rows_proposed BIGINT, rows_due BIGINT,
        agencies VARCHAR, agency_count INTEGER, legal_basis VARCHAR, deletion_basis VARCHAR,
        proposed_at TIMESTAMP, proposed_run_id VARCHAR, last_seen_as_of DATE, status VARCHAR,
        approved_by VARCHAR, approved_at TIMESTAMP, approval_ref VARCHAR,
        deleted_at TIMESTAMP, deleted_run_id VARCHAR, rows_deleted BIGINT, overdue_notified_at TIMESTAMP,
        approved_agencies VARCHAR)""",
    "ALTER TABLE main.deletion_evidence ADD COLUMN IF NOT EXISTS batch_id VARCHAR",
    "ALTER TABLE main.deletion_evidence ADD COLUMN IF NOT EXISTS approved_by VARCHAR",
    "ALTER TABLE main.deletion_evidence ADD COLUMN IF NOT EXISTS approved_at TIMESTAMP",
    "ALTER TABLE main.deletion_evidence ADD COLUMN IF NOT EXISTS approval_ref VARCHAR",
]


class ApprovalError(ValueError):
    """An approval that cannot be recorded as asked (unknown batch, already deleted, no reference)."""


@dataclass(frozen=True)
class Approval:
    batch_id: str
    approved_by: str
    approved_at: datetime
    approval_ref: str


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    for stmt in DDL:
        con.execute(stmt)


def tables_exist(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main' "
                            "AND table_name = 'deletion_proposals'").fetchone()[0])


def batch_id(rule_id: str, period_start: date) -> str:
    return f"{rule_id}-{period_start:%Y%m}"


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def delete_by(period_start: date, retain_months: int) -> date:
    """As ``deletion_deadlines.delete_by``: the month's last day + the retention + 1 day."""
    return clock.add_months(month_end(period_start), retain_months) + timedelta(days=1)


def propose(con: duckdb.DuckDBPyConnection, plan, run_id: str, deletion_basis: dict[str, str]) -> dict[str, int]:
    """Record tonight's due batches (new ones proposed, known ones updated); flag the overdue ones."""
    now = clock.now()
    batches: dict[str, dict] = {}
    for pp in plan.periods:
        bid = batch_id(pp.rule.rule_id, pp.period_start)
        b = batches.setdefault(bid, {"rule": pp.rule, "start": pp.period_start, "rows": 0, "agencies": set()})
        b["rows"] += pp.rows
        b["agencies"].add(pp.agency_code)
    new = 0
    for bid, b in sorted(batches.items()):
        rule = b["rule"]
        agencies = ";".join(sorted(b["agencies"]))
        known = con.execute("SELECT status, approved_agencies, agencies FROM main.deletion_proposals "
                            "WHERE batch_id = ?", [bid]).fetchone()
        if known is None:
            con.execute(
                """INSERT INTO main.deletion_proposals (batch_id, rule_id, dataset, dataset_zh, period_start,
                   period_end, delete_by, rows_proposed, rows_due, agencies, agency_count, legal_basis,
                   deletion_basis, proposed_at, proposed_run_id, last_seen_as_of, status, rows_deleted)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', 0)""",
                [bid, rule.rule_id, rule.dataset, rule.dataset_zh, b["start"], month_end(b["start"]),
                 delete_by(b["start"], rule.retain_months), b["rows"], b["rows"], agencies, len(b["agencies"]),
                 rule.legal_basis, deletion_basis.get(rule.rule_id, ""), now, run_id, plan.as_of])
            new += 1
        else:
            status, approved_for, before = known
            covered = set(filter(None, (approved_for or "").split(";")))
            # the batch's agencies accumulate: those whose rows were deleted stay named on it
            every = b["agencies"] | set(filter(None, (before or "").split(";")))
            agencies = ";".join(sorted(every))
            if status in ("approved", "deleted") and not b["agencies"] <= covered:
                status = "pending"  # another agency's rows fell due in the month: they need their approval
            elif status == "deleted":
                status = "approved"  # rows of an approved month and agency that fell due later
            con.execute(
                """UPDATE main.deletion_proposals SET rows_due = ?, agencies = ?, agency_count = ?,
                   last_seen_as_of = ?, status = ? WHERE batch_id = ?""",
                [b["rows"], agencies, len(every), plan.as_of, status, bid])
    con.execute("""UPDATE main.deletion_proposals SET status = 'overdue'
                   WHERE status = 'pending' AND ? > delete_by""", [plan.as_of])
    n_pending = con.execute("SELECT count(*) FROM main.deletion_proposals WHERE status IN ('pending', 'overdue')"
                            ).fetchone()[0]
    return {"proposed": new, "awaiting_approval": n_pending}


Window = tuple[date, date, tuple[str, ...]]


def windows(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[Window, ...]]:
    """Per rule, the approved months as [start, next month start) ranges with the agencies the
    approval covers; adjacent months approved for the same agencies are merged."""
    out: dict[str, list[list]] = {}
    for rule_id, start, end, agencies in con.execute(
        "SELECT rule_id, period_start, period_end, approved_agencies FROM main.deletion_proposals "
        "WHERE approved_at IS NOT NULL ORDER BY rule_id, period_start"
    ).fetchall():
        nxt = end + timedelta(days=1)
        codes = tuple(sorted(filter(None, (agencies or "").split(";"))))
        ranges = out.setdefault(rule_id, [])
        if ranges and ranges[-1][1] == start and ranges[-1][2] == codes:
            ranges[-1][1] = nxt
        else:
            ranges.append([start, nxt, codes])
    return {r: tuple((s, e, a) for s, e, a in v) for r, v in out.items()}


def approval_of(con: duckdb.DuckDBPyConnection) -> dict[tuple[str, date], Approval]:
    """(rule_id, period_start) -> who approved it, for the evidence."""
    return {(r, s): Approval(b, by, at, ref) for b, r, s, by, at, ref in con.execute(
        "SELECT batch_id, rule_id, period_start, approved_by, approved_at, approval_ref FROM main.deletion_proposals "
        "WHERE approved_at IS NOT NULL").fetchall()}


def mark_deleted(con: duckdb.DuckDBPyConnection, rows: dict[str, int], run_id: str, now: datetime) -> None:
    for bid, n in rows.items():
        con.execute("""UPDATE main.deletion_proposals SET status = 'deleted', deleted_at = ?, deleted_run_id = ?,
                       rows_deleted = coalesce(rows_deleted, 0) + ? WHERE batch_id = ?""", [now, run_id, n, bid])


def pending(con: duckdb.DuckDBPyConnection, include_done: bool = False) -> list[dict]:
    if not tables_exist(con):
        return []
    where = "" if include_done else "WHERE status IN ('pending', 'overdue')"
    cur = con.execute(f"SELECT * FROM main.deletion_proposals {where} ORDER BY period_start, rule_id")
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]


def approve(con: duckdb.DuckDBPyConnection, batch_ids: list[str] | None, by: str | None, ref: str) -> list[Approval]:
    """Approve the named batches (``None``: every batch awaiting approval). Refuses the whole call
    if one name is unknown or already approved, so a typo never half-applies."""
    by = (by or getpass.getuser()).strip()
    ref = (ref or "").strip()
    if not ref:
        raise ApprovalError("an approval needs the reference of the signed document (--ref 簽文號)")
    if not by:
        raise ApprovalError("an approval needs the approver's name (--by)")
    if not tables_exist(con):
        raise ApprovalError("no deletion has been proposed yet: a nightly run proposes the batches that fell due")
    rows = dict(con.execute("SELECT batch_id, status FROM main.deletion_proposals").fetchall())
    if batch_ids is None:
        chosen = sorted(b for b, s in rows.items() if s in ("pending", "overdue"))
    else:
        chosen = list(dict.fromkeys(batch_ids))
        unknown = [b for b in chosen if b not in rows]
        if unknown:
            raise ApprovalError(f"no proposed batch {', '.join(unknown)}; `pdgov retention pending` lists them")
        done = [f"{b} ({rows[b]})" for b in chosen if rows[b] not in ("pending", "overdue")]
        if done:
            raise ApprovalError(f"already approved or deleted: {', '.join(done)}")
    now = clock.now()
    for b in chosen:
        # the approval covers the agencies proposed now (and those approved before)
        con.execute("""UPDATE main.deletion_proposals SET status = 'approved', approved_by = ?, approved_at = ?,
                       approval_ref = ?,
                       approved_agencies = array_to_string(list_sort(list_distinct(
                           string_split(coalesce(approved_agencies || ';', '') || agencies, ';'))), ';')
                       WHERE batch_id = ?""", [by, now, ref, b])
    log.info("pdgov: retention: %d batch(es) approved by %s (%s)", len(chosen), by, ref)
    return [Approval(b, by, now, ref) for b in chosen]


def queue_overdue_mail(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    """One e-mail per overdue batch to the approver, through the incident outbox (sent by its step).

    The Message-ID is stable per batch, so a batch is mailed exactly once however many nights it
    stays overdue. No approver configured (Airflow variable ``pdgov_deletion_approver``, else the
    contact window) leaves the message ``undeliverable`` in the outbox, visible, rather than lost.
    """
    from pdgov.notifications.outbox import message_id
    from pdgov.notifications.smtp import contact_window, variable

    rows = con.execute(
        """SELECT batch_id, rule_id, dataset_zh, period_start, period_end, delete_by, rows_due, agencies,
                  deletion_basis, legal_basis
           FROM main.deletion_proposals WHERE status = 'overdue' AND overdue_notified_at IS NULL
           ORDER BY batch_id""").fetchall()
    if not rows:
        return 0
    recipient = variable(APPROVER_VARIABLE) or contact_window()
    now = clock.now()
    n = 0
    for bid, rule_id, ds_zh, start, end, by_date, due, agencies, deletion_basis, legal_basis in rows:
        mid = message_id(bid, KIND_OVERDUE, "approver")
        subject = f"【刪除待核定逾期】{ds_zh} {start:%Y-%m} 批次 {bid}"
        body = "\n".join([
            f"下列個人資料已逾刪除期限（{by_date}），尚未簽奉核定，依要點第21點核定後始得刪除：",
            f"批次：{bid}（規則 {rule_id}）", f"資料：{ds_zh}，期間 {start} 至 {end}，{due} 筆",
            f"使用機關：{agencies}", f"刪除依據：{deletion_basis}", f"保存依據：{legal_basis}",
            f"核定方式：pdgov retention approve {bid} --by 核定人 --ref 簽文號",
        ])
        status, error = ("pending", None) if recipient else (
            "undeliverable", "no approver address: set the Airflow variable pdgov_deletion_approver")
        added = con.execute(
            """INSERT INTO main.notification_outbox (message_id, incident_id, recipient, kind, subject, body, status,
               attempts, last_error, queued_at, run_id)
               SELECT ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?
               WHERE NOT EXISTS (SELECT 1 FROM main.notification_outbox WHERE message_id = ?)
               RETURNING message_id""",
            [mid, bid, recipient, KIND_OVERDUE, subject, body, status, error, now, run_id, mid]).fetchall()
        con.execute("UPDATE main.deletion_proposals SET overdue_notified_at = ? WHERE batch_id = ?", [now, bid])
        n += len(added)
    return n
