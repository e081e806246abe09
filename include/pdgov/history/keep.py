"""How long governance records are kept: five years from the record's own date, per kind.

A register, a device list, an audit sample or an account review of night N is a record of that
night (seed 002 §39: records and evidence of checks and audits, kept at least five years; seed 004
§12(11): the WebIR audit records, at least five years). Its clock starts on N — not on the date of
the punches or queries it describes, which have rules of their own (``retention_rules``). When the
data it describes is deleted first, the record stays and the person in it is redacted
(``pdgov.history.redact``).

A past night's workbooks are the same records printed: the folder ``exports/<N>/`` is kept as long
as the night's history, and a purge never removes folders wholesale.
"""

from __future__ import annotations

import logging
import re
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from pdgov.clock import add_months

log = logging.getLogger("pdgov.history")


@dataclass(frozen=True)
class KeepRule:
    kind: str
    months: int
    basis: str


_SEED_39 = "臺北市政府政風處個人資料保護管理要點第39點第2項：紀錄或證據至少保存五年"
_SEED_004 = "臺北市政府使用勞保局資料管理要點第12點(十一)：查核紀錄、稽核報告及稽核紀錄至少保存五年"
#: Per kind of record (a history table, or the printed workbooks): months kept from the night.
KEEP_RULES: dict[str, KeepRule] = {r.kind: r for r in (
    KeepRule("personal_data_file_register", 60, _SEED_39 + "（個人資料檔案清冊，第37點）"),
    KeepRule("device_compliance", 60, _SEED_39 + "（檢查紀錄，第39點第1項第6款）"),
    KeepRule("webir_audit_samples", 60, _SEED_004),
    KeepRule("webir_audit_findings", 60, _SEED_004),
    KeepRule("webir_account_review", 60, _SEED_39 + "（帳號清查，勞保局資料管理要點第6點(六)）"),
    KeepRule("deletion_deadlines", 60, _SEED_39),
    KeepRule("incident_clock", 60, _SEED_39 + "（個資事件，第39點第1項第9款）"),
    KeepRule("incident_summary", 60, _SEED_39 + "（個資事件，第39點第1項第9款）"),
    KeepRule("agency_deliveries", 60, _SEED_39),
    KeepRule("city_agencies", 60, "隨同當夜紀錄保存（重製當夜報表所需）"),
    KeepRule("ingest_files", 60, "隨同當夜紀錄保存（重製當夜報表所需）"),
    KeepRule("run_ledger", 60, _SEED_39 + "（軌跡紀錄，第39點第1項第4款）"),
    KeepRule("exports", 60, _SEED_39 + "；" + _SEED_004 + "（當夜委員會報表）"),
)}
DEFAULT_MONTHS = 60
DAY_DIR = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def expired(night: date, today: date, kind: str) -> bool:
    """A record of ``night`` is past its rule on ``today`` (kept through the last day of its term)."""
    rule = KEEP_RULES.get(kind)
    return add_months(night, rule.months if rule else DEFAULT_MONTHS) < today


def expire_history(con: duckdb.DuckDBPyConnection, today: date) -> dict[str, int]:
    """Drop row versions no kept night still needs, and the nights past their rule.

    A version valid until ``valid_to`` belongs to nights before it; once the last of them is past
    its term (``valid_to - 1 day + term < today``), nothing kept can ask for it.
    """
    have = {t for (t,) in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
        "AND table_catalog = current_database()").fetchall()}
    out = {}
    for kind in sorted(have - {"nights"}):
        months = KEEP_RULES[kind].months if kind in KEEP_RULES else DEFAULT_MONTHS
        n = con.execute(f'DELETE FROM "{kind}" WHERE valid_to IS NOT NULL '
                        f"AND CAST(valid_to - INTERVAL 1 DAY + INTERVAL {int(months)} MONTH AS DATE) < ?",
                        [today]).fetchone()[0]
        if n:
            out[kind] = n
    n = con.execute(f"DELETE FROM nights WHERE CAST(as_of_date + INTERVAL {DEFAULT_MONTHS} MONTH AS DATE) < ?",
                    [today]).fetchone()[0]
    if n:
        out["nights"] = n
    return out


def expire_exports(home: Path, today: date) -> list[str]:
    """Remove the workbook folders ``exports/<YYYY-MM-DD>/`` whose night is past the exports rule.

    Only dated folders past their term go; anything else under ``exports/`` is left alone.
    """
    exports = home / "exports"
    removed: list[str] = []
    if not exports.is_dir():
        return removed
    for d in sorted(exports.iterdir()):
        if not (d.is_dir() and DAY_DIR.match(d.name)):
            continue
        try:
            night = date.fromisoformat(d.name)
        except ValueError:
            continue
        if expired(night, today, "exports"):
            shutil.rmtree(d)
            removed.append(str(d.relative_to(home)))
    if removed:
        log.info("pdgov: history: workbooks past their term removed: %s", removed)
    return removed
