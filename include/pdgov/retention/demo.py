"""The demo shows the whole deletion loop: a due batch proposed, approved as ``demo``, deleted.

The demo's synthetic data covers one month, so nothing would be due: ``plant_old_punches`` adds a
steward's late delivery of punches from five years and two months ago (a copy of the first
agency's current punches, dated back). After the night, ``approve_and_delete`` approves the
proposed batches as ``demo`` (the signed approval a real deployment waits for, seed 002 §21),
deletes them as the next night would, and writes the workbooks again so they show the evidence.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

from pdgov.clock import add_months

DEMO_APPROVER = "demo"
DEMO_REF = "DEMO-示範簽核"
MONTHS_BACK = 62


def plant_old_punches(home: Path, rows: int = 40) -> Path | None:
    """Write ``<agency>_差勤刷卡_補件_<YYYYMM>.csv``: the first UTF-8 punch file's first rows, dated
    ``MONTHS_BACK`` months earlier. Returns the file written (None when no punch file is found)."""
    folder = home / "landing" / "punches"
    for src in sorted(folder.glob("*_差勤刷卡_2*.csv")):
        try:
            text = src.read_bytes().decode("utf-8")
        except UnicodeDecodeError:
            continue  # Big5 deliveries: the UTF-8 one is enough
        if text.startswith("\ufeff"):
            continue
        lines = list(csv.reader(io.StringIO(text)))
        header, data = lines[0], [r for r in lines[1:] if r][:rows]
        at = header.index("打卡時間")
        old = []
        for r in data:
            r = list(r)
            r[at] = add_months(datetime.strptime(r[at], "%Y-%m-%d %H:%M:%S"), -MONTHS_BACK).strftime("%Y-%m-%d %H:%M:%S")
            old.append(r)
        if not old:
            continue
        month = old[0][at][:7].replace("-", "")
        out = folder / f"{src.name.split('_', 1)[0]}_差勤刷卡_補件_{month}.csv"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows([header, *old])
        out.write_text(buf.getvalue(), encoding="utf-8")
        return out
    return None


def approve_and_delete(run_date: date) -> dict:
    """Approve every proposed batch as ``demo``, delete it, and write the night's workbooks again."""
    from pdgov import pipeline
    from pdgov.retention import approvals
    from pdgov.retention.purge import enforce
    from pdgov.warehouse import connect

    with connect() as con:
        if not approvals.tables_exist(con):
            return {"approved": 0}
        done = approvals.approve(con, None, DEMO_APPROVER, DEMO_REF)
        row = con.execute("SELECT run_id FROM main.run_ledger WHERE logical_date = ? AND status = 'success' "
                          "ORDER BY started_at DESC LIMIT 1", [run_date]).fetchone()
    if not done or row is None:
        return {"approved": len(done)}
    summary = enforce(row[0], run_date)
    pipeline.write_exports(row[0], run_date)
    return {"approved": len(done), "rows_deleted": summary.get("rows_to_delete", 0), "run_id": row[0]}
