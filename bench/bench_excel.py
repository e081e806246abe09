"""Excel benchmark: a 100,000-row audit-sample sheet written by pdgov's sheet writer, against a
bare openpyxl write-only sheet (the baseline), each in its own process for a clean peak RSS.

    .venv/bin/python bench/bench_excel.py [--rows 100000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile

CHILD = r"""
import json, resource, sys, time
from datetime import date
from pathlib import Path
mode, rows, out = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
data = [[f"3790{i % 300:05d}A", date(2026, 10, 1), f"{i:032x}", "random" if i % 7 else "flagged",
         "after_hours" if i % 7 == 0 else "", f"pdgov-webir|3790{i % 300:05d}A|2026-10"] for i in range(rows)]
t0 = time.perf_counter()
if mode == "baseline":
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("WebIR抽查樣本")
    ws.append(["機關代碼", "抽查月份", "查詢紀錄鍵", "抽樣類別", "異常註記", "抽樣種子"])
    for r in data:
        ws.append(r)
    wb.save(out)
else:
    from pdgov.exports.excel import Column, add_table_sheet, new_workbook, save_deterministic
    from pdgov.exports.printing import PrintInfo
    from pdgov.exports.sheets import QUERY_FLAGS, SAMPLE_KIND
    cols = [Column("agency_code", "機關代碼"), Column("audit_month", "抽查月份"), Column("query_key", "查詢紀錄鍵"),
            Column("sample_kind", "抽樣類別", labels=SAMPLE_KIND), Column("flags", "異常註記", labels=QUERY_FLAGS, list_sep=","),
            Column("sample_seed", "抽樣種子")]
    wb = new_workbook()  # write-only, as pdgov.exports.workbooks does
    add_table_sheet(wb, "WebIR抽查樣本", cols, data, lambda r: "violation" if r[3] == "flagged" else None,
                    PrintInfo("臺北市政府全市", "2026-11-02", "scheduled__2026-11-01T18:00:00+00:00", "2026-11-02 02:00"))
    save_deterministic(wb, out)
dt = time.perf_counter() - t0
print(json.dumps({"seconds": dt, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "bytes": out.stat().st_size}))
"""


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    args = ap.parse_args()
    res = {}
    with tempfile.TemporaryDirectory() as d:
        for mode in ("baseline", "pdgov"):
            out = subprocess.run([sys.executable, "-c", CHILD, mode, str(args.rows), f"{d}/{mode}.xlsx"],
                                 capture_output=True, text=True, check=True)
            res[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    for k, v in res.items():
        print(f"{k:9s} {args.rows:,} rows  {v['seconds']:6.2f} s  peak RSS {v['peak_rss_mb']:6.0f} MB  "
              f"{v['bytes'] / 1e6:5.1f} MB  ratio to baseline {v['seconds'] / res['baseline']['seconds']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
