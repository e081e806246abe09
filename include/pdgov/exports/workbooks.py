"""What goes into the committee workbooks: one for the whole city, one per agency.

Each mart becomes a sheet with zh-TW headings in the order users know (the sheets are declared in
``pdgov.exports.sheets``; the register follows the twenty fields of seed 002 §37 ¶2 and is also
printed as a form, one file per page). Agency names stand beside their codes and status codes
show as zh-TW words. A mart that the run did not produce gets a sheet that says so, rather than
silently missing. A 說明 sheet explains every column and status and the
audit-sample rule with its seed, so a sample can be re-derived; a 來源與版本 sheet records the
run, the source files with their SHA-256, each sheet's row count and content hash, and the
versions. National IDs only ever appear masked (the marts carry no other form, and the cell
writer masks any that slipped into free text).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

from pdgov import __version__
from pdgov.config import paths
from pdgov.exports.excel import (
    Column,
    Highlight,
    SheetResult,
    add_table_sheet,
    new_workbook,
    save_deterministic,
)
from pdgov.exports.forms import FORM_HELP, add_form_sheet
from pdgov.exports.printing import PrintInfo
from pdgov.exports.sheets import LOOKUPS, SHEETS, STATUS_HELP, Sheet
from pdgov.exports.validation import add_choices

log = logging.getLogger("pdgov.exports")

SAFE_AGENCY = re.compile(r"^[0-9A-Za-z]{1,20}$")  # an agency code becomes a file name
FETCH = 5000
PARALLEL_FROM = 24  # workbooks: from here on they are written by one process per core (see workers_for)


def _main_columns(con) -> dict[str, set[str]]:
    """Every table's columns in one query (3.5 ms an information_schema query; 1,500 of them a city night)."""
    cols: dict[str, set[str]] = {}
    for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'").fetchall():
        cols.setdefault(table, set()).add(column)
    return cols


def _rows(con, sheet: Sheet, have: set[str], agency: str | None, cols: dict[str, set[str]],
          columns: list[Column] | None = None, filters: dict[str, list] | None = None,
          limit: int | None = None, lead: list[str] | None = None) -> Iterator[tuple]:
    """The sheet's rows in a total order (every column breaks ties), so the bytes never depend on scan order.

    A column the mart lacks comes from its ``LOOKUPS`` table when that exists (the agency name from
    ``city_agencies``), else prints empty. ``filters`` keeps rows whose column is one of the values
    (the dashboard's rows behind a bar); ``limit`` stops after so many; ``lead`` columns sort first.
    """
    columns = columns or sheet.columns
    joins, sel = [], []
    for c in columns:
        if c.key in have:
            sel.append(f't."{c.key}"')
        elif c.key in LOOKUPS and LOOKUPS[c.key][1] in have and LOOKUPS[c.key][2] in cols.get(LOOKUPS[c.key][0], ()):
            ref, on, give = LOOKUPS[c.key]
            alias = f"l{len(joins)}"
            joins.append(f'LEFT JOIN main."{ref}" {alias} ON {alias}."{on}" = t."{on}"')
            sel.append(f'{alias}."{give}" AS "{c.key}"')
        else:
            sel.append(f'NULL AS "{c.key}"')
    keys = [*(lead or []), *(k for k in sheet.order if k in have)]
    keys += [c.key for c in columns if c.key in have and c.key not in keys]
    order = ", ".join(f't."{k}" NULLS FIRST' for k in keys) or "1"
    conds, params = (['t."agency_code" = ?'], [agency]) if agency else ([], [])
    for key, values in (filters or {}).items():
        if key not in have:
            raise KeyError(f"{sheet.table} has no column {key}")
        conds.append(f't."{key}" IN ({", ".join("?" * len(values))})' if values else "false")
        params += list(values)
    where = f"WHERE {' AND '.join(conds)}" if conds else ""
    tail = f" LIMIT {int(limit)}" if limit is not None else ""
    cur = con.execute(f'SELECT {", ".join(sel)} FROM main."{sheet.table}" t {" ".join(joins)} {where} '
                      f'ORDER BY {order}{tail}', params)
    while batch := cur.fetchmany(FETCH):
        yield from batch


class Rows:
    """Where a workbook's sheets get their rows: for a list of agency workbooks, one query per sheet
    for all of them, each agency's rows handed out when its workbook asks (the same rows in the same
    order as its own query would give: the agency sorts first, and within it the sheet's order).

    Why: an agency workbook is ~16 small sheets; a query each was 27 of its ~190 ms at the city
    (300 workbooks, 2026-12-04). ``agencies`` empty: every sheet is its own query (the city's book).
    """

    def __init__(self, con, cols: dict[str, set[str]], agencies: list[str] | None = None) -> None:
        self.con, self.cols, self.agencies = con, cols, [a for a in agencies or [] if a is not None]
        self._fetched: dict[tuple, dict[str, list[tuple]]] = {}

    def __call__(self, sheet: Sheet, have: set[str], agency: str | None,
                 columns: list[Column] | None = None) -> Iterator[tuple] | list[tuple]:
        if agency is None or agency not in self.agencies or "agency_code" not in have:
            return _rows(self.con, sheet, have, agency, self.cols, columns)
        key = (sheet.table, tuple(c.key for c in columns or sheet.columns))
        if key not in self._fetched:
            self._fetched[key] = self._all(sheet, have, columns)
        return self._fetched[key].pop(agency, [])

    def _all(self, sheet: Sheet, have: set[str], columns: list[Column] | None) -> dict[str, list[tuple]]:
        by_agency: dict[str, list[tuple]] = {}
        for row in _rows(self.con, sheet, have, None, self.cols, [Column("agency_code", "機關代碼"),
                                                                  *(columns or sheet.columns)],
                         filters={"agency_code": self.agencies}, lead=["agency_code"]):
            by_agency.setdefault(row[0], []).append(row[1:])
        return by_agency


def sheet_rows(con, sheet: Sheet, agency: str | None, filters: dict[str, list] | None = None,
               limit: int | None = None) -> list[tuple]:
    """A sheet's rows as its workbook has them (same columns, order and agency names), for the UI."""
    cols = _main_columns(con)
    have = cols.get(sheet.table)
    if have is None:
        return []
    return list(_rows(con, sheet, have, agency, cols, filters=filters, limit=limit))


def _highlight(sheet: Sheet) -> Highlight | None:
    if sheet.highlight is None:
        return None
    key, levels = sheet.highlight
    col = [c.key for c in sheet.columns].index(key)
    return lambda r: levels.get(r[col])


def _form_sheet(wb, rows_of: Rows, sheet: Sheet, have: set[str], agency: str | None,
                info: PrintInfo) -> SheetResult:
    """The sheet's rows again, printed as its form: the caption names each record, the rest go down the page."""
    assert sheet.form is not None
    form = sheet.form
    columns = sheet.form_columns or sheet.columns
    keys = [c.key for c in columns]
    body = [c for c in columns if c.key not in form.skip]
    records = (dict(zip(keys, r, strict=True)) for r in rows_of(sheet, have, agency, columns))
    rows = ((*[rec[c.key] for c in body], rec) for rec in records)

    def caption(row: tuple) -> str:
        return form.caption.format(**{k: "" if v is None else v for k, v in row[-1].items()})

    return add_form_sheet(wb, form.title, body, rows, caption, info)


def _run_info(con, cols: dict[str, set[str]], run_id: str) -> dict:
    if "run_ledger" not in cols:
        return {}
    row = con.execute("SELECT triggered_by, data_interval_start, data_interval_end, started_at "
                      "FROM main.run_ledger WHERE run_id = ?", [run_id]).fetchone()
    if not row:
        return {}
    return dict(zip(("triggered_by", "interval_start", "interval_end", "started_at"), row, strict=True))


def _fmt(ts) -> str:
    return ts.strftime("%Y-%m-%d %H:%M") if isinstance(ts, datetime) else ("" if ts is None else str(ts))


def _source_files(con, cols: dict[str, set[str]]) -> list[tuple[str | None, list]]:
    """The provenance rows of the loaded source files, each with the agency whose code its name
    carries (None: a city-wide file), found once per night rather than once per workbook."""
    from pdgov.retention.files import agency_in

    if "ingest_files" not in cols:
        return [(None, ["來源檔案", "本次作業無檔案清單 (ingest_files)", "", None])]
    return [(agency_in(str(name), None), [f"來源檔案 {source}", name, sha, n]) for source, name, sha, n in con.execute(
        "SELECT source, file_name, file_sha256, rows_in FROM main.ingest_files WHERE status = 'loaded' "
        "ORDER BY source, file_name, file_sha256").fetchall()]


def _sources_of(sources: list[tuple[str | None, list]], agency: str | None) -> list[list]:
    """The source files an agency workbook rests on: the agency's own deliveries and the city-wide ones.

    A file belongs to the agency whose code its name carries (``379000000A_差勤刷卡_202610.csv``),
    by the same rule the retention purge uses for its evidence (``agency_in``); a file without one
    (the device inventory, the WebIR account roster, incidents) is city-wide and listed in every
    workbook. The city workbook lists them all. Why: the city delivers ~2,700 files, and listing all
    of them in each of 300 agency workbooks was most of the nightly export time (810,000 rows
    written) for rows no agency reader needs.
    """
    return [row for owner, row in sources if agency is None or owner is None or owner == agency]


def _versions() -> list[list]:
    import dbt.version
    import duckdb
    import openpyxl

    return [["pdgov 版本", __version__, "", None], ["dbt 版本", str(dbt.version.__version__), "", None],
            ["duckdb 版本", duckdb.__version__, "", None], ["openpyxl 版本", openpyxl.__version__, "", None]]


def scope_of(agency: str | None, names: dict[str, str]) -> str:
    """What a workbook covers, as its header and 說明 sheet say it: the agency's name and code."""
    if agency is None:
        return "臺北市政府全市"
    return f"{names[agency]}（{agency}）" if names.get(agency) else f"機關 {agency}"


def _agency_names(con, cols: dict[str, set[str]]) -> dict[str, str]:
    if "city_agencies" not in cols:
        return {}
    return dict(con.execute("SELECT agency_code, agency_name FROM main.city_agencies").fetchall())


def _book(rows_of: Rows, run_id: str, logical_date: date, agency: str | None, run: dict,
          sources: list[tuple[str | None, list]], names: dict[str, str], out: Path,
          versions: list[list] | None = None) -> None:
    """One workbook; ``versions`` (a past night's, from history) replaces this install's in 來源與版本."""
    wb = new_workbook()
    scope = scope_of(agency, names)
    generated = _fmt(run.get("started_at"))
    info = PrintInfo(scope=scope, as_of=logical_date.isoformat(), run_id=run_id, generated=generated)
    sheets = [s for s in SHEETS if not (agency and s.citywide)]
    help_rows = [["範圍", scope], ["資料基準日", logical_date.isoformat()], ["作業批次", run_id],
                 ["產製時間", generated or "（本批次無作業紀錄）"], *[list(kv) for kv in STATUS_HELP]]
    for s in sheets:
        help_rows += [[f"{s.title}：{c.heading}", c.explained()] for c in s.columns]
        if s.form is not None and (agency is not None or s.form.in_city):
            help_rows += [[f"{s.form.title}：{h}", t] for h, t in FORM_HELP]
    add_table_sheet(wb, "說明", [Column("item", "項目", 30), Column("text", "說明", 90)], help_rows, None, info)
    results: list[tuple[str, str, SheetResult]] = []
    for s in sheets:
        have = rows_of.cols.get(s.table)
        if have is None:
            note = [[f"本次作業未產出 {s.table}（模型尚未建置或執行失敗）"]]
            results.append((s.title, s.table, add_table_sheet(wb, s.title, [Column("note", "說明", 60)], note, None,
                                                              info)))
            continue
        results.append((s.title, s.table, add_table_sheet(wb, s.title, s.columns, rows_of(s, have, agency),
                                                          _highlight(s), info, s.title_columns)))
        if s.choices:
            add_choices(wb.worksheets[-1], s.columns, s.choices, results[-1][2].rows)
        if s.form is not None and (agency is not None or s.form.in_city):
            results.append((s.form.title, s.table, _form_sheet(wb, rows_of, s, have, agency, info)))
    prov = [["作業批次 run id", run_id, "", None], ["資料基準日 logical date", logical_date.isoformat(), "", None],
            ["範圍 scope", scope, "", None], ["觸發者 triggered by", run.get("triggered_by") or "", "", None],
            ["資料區間 data interval", f"{_fmt(run.get('interval_start'))} – {_fmt(run.get('interval_end'))}", "", None],
            ["產製時間 generated (run start)", generated, "", None], *(versions or _versions())]
    prov += [[f"工作表 {title}", table, r.sha256, r.rows] for title, table, r in results]
    prov += _sources_of(sources, agency)
    add_table_sheet(wb, "來源與版本", [Column("item", "項目", 24), Column("value", "內容", 50),
                                  Column("sha256", "SHA-256", 66), Column("rows", "筆數", 10)], prov, None, info)
    save_deterministic(wb, out)


def _agencies(con) -> list[str]:
    """Every agency that appears in an agency-level mart (not only those with a register entry)."""
    cols = _main_columns(con)
    parts = [f'SELECT agency_code FROM main."{s.table}"' for s in SHEETS
             if not s.citywide and s.makes_agency_books and "agency_code" in cols.get(s.table, set())]
    if not parts:
        return []
    codes = [r[0] for r in con.execute(
        f"SELECT DISTINCT agency_code FROM ({' UNION '.join(parts)}) WHERE agency_code IS NOT NULL ORDER BY 1"
    ).fetchall()]
    bad = [c for c in codes if not SAFE_AGENCY.match(str(c))]
    if bad:
        log.warning("pdgov: exports: no agency workbook for codes unfit for a file name: %s", bad[:10])
    return [c for c in codes if SAFE_AGENCY.match(str(c))]


def _write_books(run_id: str, logical_date: date, agencies: list[str | None]) -> list[Path]:
    """Write the given workbooks (``None`` is the city's) on one read-only connection of its own."""
    from pdgov.warehouse import connect

    with connect(read_only=True) as con:
        return write_books(con, run_id, logical_date, agencies, paths().exports / logical_date.isoformat())


def write_books(con, run_id: str, logical_date: date, agencies: list[str | None], out_dir: Path,
                versions: list[list] | None = None) -> list[Path]:
    """The workbooks of ``agencies`` (``None``: the city's) from ``con``'s marts into ``out_dir``:
    the night's warehouse, or a past night rebuilt from history (``versions``: that night's)."""
    day = logical_date.isoformat()
    written: list[Path] = []
    cols = _main_columns(con)
    run, sources, names = _run_info(con, cols, run_id), _source_files(con, cols), _agency_names(con, cols)
    rows_of = Rows(con, cols, agencies)
    for code in agencies:
        path = out_dir / f"pdgov_全市_{day}.xlsx" if code is None else out_dir / "agency" / f"pdgov_{code}_{day}.xlsx"
        _book(rows_of, run_id, logical_date, code, run, sources, names, path, versions)
        written.append(path)
    return written


def remove_stale(out_dir: Path, written: list[Path]) -> None:
    """Agency workbooks of the folder not written this time (an agency gone from the data) go."""
    for old in (out_dir / "agency").glob("*.xlsx"):
        if old not in written:
            old.unlink()


def workers_for(books: int) -> int:
    """Processes to write ``books`` workbooks with: one per core once there are enough to repay a start.

    Writing cells is Python (openpyxl), one core per process; a worker's start (imports) costs ~1 s,
    so a handful of workbooks (the demo's six) is written in the task's own process.
    ``PDGOV_EXPORT_WORKERS`` overrides it (1: never share out; the deployment test sets 2).
    """
    if os.environ.get("PDGOV_EXPORT_WORKERS"):
        return max(1, int(os.environ["PDGOV_EXPORT_WORKERS"]))
    return max(1, min(os.cpu_count() or 1, 4)) if books >= PARALLEL_FROM else 1


def shares_for(books: list[str | None], n: int) -> list[list[str | None]]:
    """``books`` (the city's first) split among processes: the city's workbook alone, the agencies'
    in ``n`` interleaved shares.

    The city workbook is as long as all the agencies' sheets together (11 s at the city, an agency's
    0.19 s; 2026-12-04): in a share of its own, the operating system gives its process and the ``n``
    agency processes the cores in turn, so all end together. In the first share with half the
    agencies, that process ran 11 s longer than the other (42.8 s of workbooks where 34 s is the work
    divided by two cores).
    """
    city, agencies = [b for b in books if b is None], [b for b in books if b is not None]
    return [*([city] if city else []), *[agencies[i::n] for i in range(n) if agencies[i::n]]]


def _write_shared(run_id: str, logical_date: date,
                  shares: list[list[str | None]]) -> dict[str | None, Path] | None:
    """Each share written by a child process of its own (``python -m pdgov.exports.workbooks``);
    each book's path, or None if the processes could not be started.

    Child processes through ``subprocess``, not ``multiprocessing``: a Celery worker runs tasks in
    daemonic processes, and multiprocessing refuses children to those ("daemonic processes are not
    allowed to have children" — seen in the deployment test).
    """
    import subprocess
    import sys

    children = []
    try:
        for share in shares:
            # The share goes on the command line (agency codes are short and checked against
            # SAFE_AGENCY): through stdin, a child would wait for the parent to get round to it.
            children.append(subprocess.Popen(
                [sys.executable, "-m", "pdgov.exports.workbooks", run_id, logical_date.isoformat(),
                 json.dumps(share)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, encoding="utf-8"))
    except OSError as exc:
        for proc in children:
            proc.kill()
            proc.communicate()
        log.warning("pdgov: exports: cannot start processes for the workbooks (%s); writing them in this one", exc)
        return None
    written: dict[str | None, Path] = {}
    failed = []
    # One child at a time: a child whose pipe fills while another is read just waits its turn.
    for share, proc in zip(shares, children, strict=True):
        out, err = proc.communicate()
        if proc.returncode != 0:
            failed.append(f"exit {proc.returncode}: {err[-2000:]}")
        else:
            written.update(zip(share, (Path(p) for p in json.loads(out)), strict=True))
    if failed:
        raise RuntimeError("pdgov: exports: a workbook process failed: " + " | ".join(failed))
    return written


def write_all(run_id: str, logical_date: date, workers: int | None = None) -> list[Path]:
    """City workbook and one per agency under ``exports/<logical date>/``; returns their paths,
    the city's first, then by agency code.

    One folder per logical date: a re-run of the same night replaces its workbooks, and the
    UI lists one set per day. Stale agency workbooks (an agency gone from the data) are removed.
    The city's 300 workbooks are shared out among processes (``workers``, default ``workers_for``,
    for the agencies', one more for the city's: ``shares_for``), each on its own read-only
    connection: DuckDB lets several processes read a file no one writes, and this task holds the
    warehouse pool's one slot. Each workbook is the same bytes either way.
    """
    from pdgov.warehouse import connect

    out_dir = paths().exports / logical_date.isoformat()
    with connect(read_only=True) as con:
        books: list[str | None] = [None, *_agencies(con)]
    n = min(workers if workers is not None else workers_for(len(books)), len(books))
    shares = shares_for(books, n) if n > 1 else [books]
    by_book = _write_shared(run_id, logical_date, shares) if n > 1 else None
    if by_book is None:
        shares = [books]
        by_book = dict(zip(books, _write_books(run_id, logical_date, books), strict=True))
    written = [by_book[b] for b in books]
    remove_stale(out_dir, written)
    from pdgov.exports.webir_report import write as write_webir_report

    write_webir_report(run_id, logical_date)  # the quarterly report to 勞工局, a file of its own
    log.info("pdgov: %d workbooks in %s (%d process%s)", len(written), out_dir, len(shares),
             "" if len(shares) == 1 else "es")
    return written


def _child() -> None:
    """``python -m pdgov.exports.workbooks RUN_ID DATE '["379000000A", null, …]'`` (null: the city's
    workbook): write those workbooks, print their paths as JSON (see ``_write_shared``)."""
    import sys

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    written = _write_books(sys.argv[1], date.fromisoformat(sys.argv[2]), json.loads(sys.argv[3]))
    json.dump([str(p) for p in written], sys.stdout)


if __name__ == "__main__":
    _child()
