"""The quarterly WebIR audit report to the Labor Bureau (勞工局), a workbook of its own.

Seed 004 §12(1): the data-requesting agencies' audit records go every three months to the 權責管理機關,
which §2(2) names 本府勞工局. The report is per agency and quarter — queries, sampled, audited,
anomalies (``webir_audit_quarterly_summary``) — the same rows as the committee workbooks' sheet
WebIR查核季報, written beside them as ``exports/<date>/pdgov_WebIR查核季報_勞工局_<date>.xlsx`` so it
can be sent on without the rest of the committee workbook.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pdgov.config import paths
from pdgov.exports.excel import Column, add_table_sheet, new_workbook, save_deterministic
from pdgov.exports.printing import PrintInfo
from pdgov.exports.sheets import QUARTERLY_SHEET

RECIPIENT = "臺北市政府勞工局"  # seed 004 §2(2) 權責管理機關


def report_path(logical_date: date) -> Path:
    day = logical_date.isoformat()
    return paths().exports / day / f"pdgov_WebIR查核季報_勞工局_{day}.xlsx"


def write(run_id: str, logical_date: date) -> Path | None:
    """Write the report for ``logical_date``; None when the quarterly mart was not built."""
    from pdgov.exports.workbooks import _main_columns, _rows
    from pdgov.warehouse import connect

    out = report_path(logical_date)
    with connect(read_only=True) as con:
        cols = _main_columns(con)
        have = cols.get(QUARTERLY_SHEET.table)
        if have is None:
            return None
        info = PrintInfo(scope=f"送{RECIPIENT}", as_of=logical_date.isoformat(), run_id=run_id, generated="")
        wb = new_workbook()
        help_rows = [["受文者", f"{RECIPIENT}（勞保WebIR管理要點第2點第2款權責管理機關）"],
                     ["依據", "勞保WebIR管理要點第12點第1款：查核紀錄每三個月送權責管理機關備查"],
                     ["資料基準日", logical_date.isoformat()], ["作業批次", run_id],
                     *[[c.heading, c.explained()] for c in QUARTERLY_SHEET.columns]]
        add_table_sheet(wb, "說明", [Column("item", "項目", 24), Column("text", "說明", 90)], help_rows, None, info)
        add_table_sheet(wb, QUARTERLY_SHEET.title, QUARTERLY_SHEET.columns,
                        _rows(con, QUARTERLY_SHEET, have, None, cols), None, info, QUARTERLY_SHEET.title_columns)
    save_deterministic(wb, out)
    return out
