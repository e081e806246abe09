"""What goes into the committee workbooks: one for the whole city, one per agency.

Each mart becomes a sheet with zh-TW headings in the order users know (the register follows
the twenty fields of seed 002 §37 ¶2). A mart that the run did not produce gets a sheet that
says so, rather than silently missing. A 說明 sheet explains every column and status and the
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
from dataclasses import dataclass
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

log = logging.getLogger("pdgov.exports")

SAFE_AGENCY = re.compile(r"^[0-9A-Za-z]{1,20}$")  # an agency code becomes a file name
FETCH = 5000
PARALLEL_FROM = 24  # workbooks: from here on they are written by one process per core (see workers_for)


def _c(key: str, heading: str, width: int = 10, explain: str = "") -> Column:
    return Column(key, heading, width, explain)


AGENCY = _c("agency_code", "機關代碼", 11, "機關代碼（10碼：9位數字及1個大寫英文字母）")

REGISTER = [
    AGENCY,
    _c("business_process", "(一)所涉主要業務、職掌內容及辦理流程", 28, "施行細則第37條第2項第1款：蒐集該個資檔案之業務、職掌與流程"),
    _c("file_name", "(二)個人資料檔案名稱", 18, "第2款：個人資料檔案之名稱"),
    _c("responsible_unit", "(三)業務主管單位", 12, "第3款：負責該業務之單位"),
    _c("custodian_unit", "(四)保存管理單位", 12, "第4款：實際保存、管理檔案之單位"),
    _c("storage_method", "(五)保管方式", 18, "第5款：紙本或電子、存放系統與位置"),
    _c("file_type", "(六)檔案型態", 10, "第6款：紙本、電子檔或兩者"),
    _c("data_source", "(七)個人資料來源", 16, "第7款：直接向當事人蒐集或間接取得"),
    _c("legal_basis", "(八)法令或契約上之保有依據", 22, "第8款：保有該檔案之法令或契約依據"),
    _c("notice_duty", "(九)是否須履行告知義務", 10, "第9款：個資法第8、9條告知義務（是/否）"),
    _c("purpose_codes", "(十)特定目的", 16, "第10款：個人資料保護法之特定目的代號"),
    _c("category_codes", "(十一)個人資料類別", 20, "第11款：個人資料類別代號（C001 等）"),
    _c("data_items", "(十二)個人資料項目", 24, "第12款：實際蒐集之資料項目"),
    _c("art6_items", "(十三)個資法第六條所定個人資料項目", 12, "第13款：病歷、醫療、基因、性生活、健康檢查、犯罪前科等特種個資"),
    _c("record_count", "(十四)個人資料數量", 10, "第14款：資料筆數（由倉儲實際計算）"),
    _c("internal_users", "(十五)內部進行蒐集、處理或利用之單位", 16, "第15款：機關內部使用單位"),
    _c("external_users", "(十六)外部進行蒐集、處理或利用者", 16, "第16款：機關外部使用者"),
    _c("outsourcing", "(十七)委外及受委託對象接觸情形", 16, "第17款：委外廠商接觸個資之情形"),
    _c("retention_period", "(十八)法定或自訂之保存期限", 16, "第18款：保存期限及其依據"),
    _c("destruction_method", "(十九)銷毀方式", 16, "第19款：屆期之銷毀方式"),
    _c("art17_published", "(二十)是否依個資法第十七條規定對外公告", 10, "第20款：是否已依個資法第17條公開（是/否）"),
    _c("risk_level", "風險等級(§38)", 8, "依施行細則第38條之風險評估：high 高、medium 中、low 低"),
    _c("risk_basis", "風險評估依據", 30, "可識別性、數量、敏感性、環境、存取、適法性各面向之評分依據"),
    _c("publication_due_date", "公告期限(§32)", 11, "清冊建立後一個月內應依個資法第17條公告"),
    _c("publication_status", "公告狀態", 9, "published 已公告；due 公告期限內；overdue 逾期未公告（紅底）"),
]
DEVICES = [
    AGENCY,
    _c("device_id", "設備編號", 12, "差勤設備編號"),
    _c("model", "型號", 14, "設備型號"),
    _c("vendor", "廠商", 12, "供應廠商"),
    _c("brand", "廠牌", 12, "設備廠牌"),
    _c("committee_status", "委員會審查", 9, "資料治理委員會審查結果：pending 待審、approved 核准、rejected 不核准"),
    _c("status", "合規狀態", 12, "prohibited 禁用、flagged 待釐清、rejected 不核准、review_required 待審、approved 核准"),
    _c("reasons", "理由", 50, "判定理由（可能多項，以「；」分隔）"),
]
DEADLINES = [
    AGENCY,
    _c("dataset", "資料集", 12, "資料集代號"),
    _c("dataset_zh", "資料集名稱", 14, "資料集中文名稱"),
    _c("period_start", "期間起", 11, "該批資料之起日"),
    _c("period_end", "期間迄", 11, "該批資料之迄日"),
    _c("rule_id", "規則", 14, "保存期限規則代號"),
    _c("legal_basis", "法令依據", 30, "保存期限之法令依據"),
    _c("delete_by", "刪除期限", 11, "最遲應刪除之日期"),
    _c("status", "狀態", 9, "retained 保存中；due 已屆期待刪除（黃底）；overdue 逾期未刪除（紅底）；held 資料保全中；deleted 已刪除"),
    _c("rows_remaining", "尚存筆數", 9, "倉儲中尚存之筆數"),
    _c("hold_ids", "保全編號", 14, "暫停刪除之資料保全（legal hold）編號"),
]
SAMPLES = [
    AGENCY,
    _c("audit_month", "抽查月份", 11, "受抽查之月份（該月1日）"),
    _c("sample_kind", "抽樣類別", 9, "random 隨機抽樣；flagged 異常必抽（紅底）"),
    _c("draw_order", "抽樣序位", 8, "隨機樣本之排序位置（見說明「抽樣規則」）"),
    _c("queries_in_month", "當月查詢筆數", 10, "該機關當月 WebIR 查詢總筆數（決定抽樣數）"),
    _c("query_key", "查詢紀錄鍵", 34, "查詢紀錄之穩定鍵值（同一筆紀錄重送仍相同）"),
    _c("flags", "異常註記", 24, "異常原因：查詢同仁或本人、非上班時間、未填案號或事由、帳號已停用等"),
    _c("account", "查詢者帳號", 14, "WebIR 查詢者帳號"),
    _c("queried_at", "查詢時間", 18, "查詢時間（臺北時間）"),
    _c("subject_masked", "被查詢者(遮蔽)", 12, "被查詢者身分證統一編號（遮蔽，例 A12****789）"),
    _c("case_no", "案號", 12, "查詢所依據之案號"),
    _c("reason", "事由", 20, "查詢事由"),
    _c("sample_seed", "抽樣種子", 28, "抽樣種子 = 規則代號|機關代碼|年-月（見說明「抽樣規則」）"),
]
ACCOUNTS = [
    AGENCY,
    _c("account", "帳號", 16, "WebIR 帳號"),
    _c("finding", "清查結果", 11, "duplicate 一人多帳號；idle 閒置；transferred 調職；resigned 離職；retired 退休；shared 疑似共用（紅底：離職、退休、共用）"),
    _c("detail", "說明", 50, "清查發現之細節"),
]
INCIDENTS = [
    _c("incident_id", "事件編號", 18, "個資事件編號"),
    _c("known_at", "知悉時間", 18, "機關知悉事件之時間"),
    _c("report_due_at", "通報期限(4小時)", 18, "知悉後4小時內應通報"),
    _c("report_sent_at", "通報時間", 18, "實際通報時間"),
    _c("clock_status", "時限狀態", 9, "pending 未屆期；on_time 準時；late 逾時通報（紅底）；overdue 逾時未通報（紅底）"),
    _c("escalated_at", "逾時陳報", 18, "逾時後陳報上級之時間"),
    _c("people", "受影響人數", 9, "受影響之當事人數"),
    _c("notices_queued", "當事人通知(排入)", 10, "已排入寄送之當事人通知數"),
    _c("notices_sent", "當事人通知(已寄)", 10, "已寄出之當事人通知數"),
    _c("messages_waiting", "待寄", 6, "尚待寄送之訊息數"),
    _c("messages_in_doubt", "寄送不明", 8, "寄送結果不明、需人工確認之訊息數"),
]

SAMPLE_RULE = (
    "隨機樣本：每一機關每月，將非異常之查詢紀錄依 md5(抽樣種子 與 查詢紀錄鍵 直接相接之字串) 由小到大排序，"
    "取前 max(10, ⌈3% × 當月查詢筆數⌉) 筆（抽樣序位 ≤ 該數）；異常查詢（flagged）全數列入。"
    "抽樣種子 = 規則代號|機關代碼|YYYY-MM（例 pdgov-webir|379000000A|2026-10），任何人可依此重新導出同一樣本。"
)


def _in(*values: str, col: int, level: str = "violation") -> Highlight:
    return lambda r: level if r[col] in values else None


def _device_level(r) -> str | None:
    status = r[6]
    if status in ("prohibited", "rejected"):
        return "violation"
    return "warning" if status == "flagged" else None


def _deadline_level(r) -> str | None:
    return {"overdue": "violation", "due": "warning"}.get(r[8])


@dataclass(frozen=True)
class Sheet:
    title: str
    table: str
    columns: list[Column]
    order: tuple[str, ...]
    highlight: Highlight | None = None
    citywide: bool = False  # no agency_code: in the city workbook only


SHEETS = [
    Sheet("個人資料檔案清冊", "personal_data_file_register", REGISTER, ("agency_code", "file_name"),
          _in("overdue", col=24)),
    Sheet("生物特徵差勤設備清冊", "device_compliance", DEVICES, ("agency_code", "device_id"), _device_level),
    Sheet("刪除期限", "deletion_deadlines", DEADLINES, ("agency_code", "dataset", "period_start"), _deadline_level),
    Sheet("WebIR抽查樣本", "webir_audit_samples", SAMPLES,
          ("agency_code", "audit_month", "sample_kind", "draw_order", "query_key"), _in("flagged", col=2)),
    Sheet("帳號清查", "webir_account_review", ACCOUNTS, ("agency_code", "account", "finding"),
          _in("resigned", "retired", "shared", col=2)),
    Sheet("個資事件", "incident_clock", INCIDENTS, ("known_at", "incident_id"), _in("late", "overdue", col=4),
          citywide=True),
]
STATUS_HELP = [
    ("底色", "紅底：違規（禁用設備、逾期未刪除、異常查詢、離職退休或共用帳號、逾時通報、逾期未公告）；黃底：待處理（待釐清設備、屆期待刪除）"),
    ("合規狀態 prohibited", "中國大陸廠牌：禁止使用，不得連接政府網路（原則貳、參）"),
    ("合規狀態 flagged", "設備、主機板或晶片產地為中國大陸，或產地不明：需說明"),
    ("合規狀態 rejected", "資料治理委員會不核准"),
    ("合規狀態 review_required", "非陸製生物特徵設備，待委員會審查"),
    ("合規狀態 approved", "已核准：列入資訊局納管清單及資安稽核範圍"),
    ("刪除期限狀態", "retained 保存中；due 已屆期待刪除；overdue 逾期未刪除；held 資料保全中；deleted 已刪除"),
    ("抽樣類別", "random 隨機抽樣（每月至少3%且不少於10筆）；flagged 異常必抽"),
    ("抽樣規則", SAMPLE_RULE),
    ("個資事件", "全市事件僅列於全市活頁簿；知悉後4小時內應通報，逾時即陳報"),
    ("身分證統一編號", "一律遮蔽顯示（例 A12****789），倉儲僅保存金鑰雜湊"),
]


def _main_columns(con) -> dict[str, set[str]]:
    """Every table's columns in one query (3.5 ms an information_schema query; 1,500 of them a city night)."""
    cols: dict[str, set[str]] = {}
    for table, column in con.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'main'").fetchall():
        cols.setdefault(table, set()).add(column)
    return cols


def _rows(con, sheet: Sheet, have: set[str], agency: str | None) -> Iterator[tuple]:
    """The sheet's rows in a total order (every column breaks ties), so the bytes never depend on scan order."""
    sel = ", ".join(f'"{c.key}"' if c.key in have else f'NULL AS "{c.key}"' for c in sheet.columns)
    keys = [k for k in sheet.order if k in have]
    keys += [c.key for c in sheet.columns if c.key in have and c.key not in keys]
    order = ", ".join(f'"{k}" NULLS FIRST' for k in keys) or "1"
    where = 'WHERE "agency_code" = ?' if agency else ""
    cur = con.execute(f'SELECT {sel} FROM main."{sheet.table}" {where} ORDER BY {order}', [agency] if agency else [])
    while batch := cur.fetchmany(FETCH):
        yield from batch


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


def _book(con, cols: dict[str, set[str]], run_id: str, logical_date: date, agency: str | None, run: dict,
          sources: list[tuple[str | None, list]], out: Path) -> None:
    wb = new_workbook()
    scope = f"機關 {agency}" if agency else "臺北市政府全市"
    generated = _fmt(run.get("started_at"))
    footer = f"{scope}｜資料基準日 {logical_date.isoformat()}｜作業批次 {run_id}" + (f"｜產製 {generated}" if generated else "")
    sheets = [s for s in SHEETS if not (agency and s.citywide)]
    help_rows = [["範圍", scope], ["資料基準日", logical_date.isoformat()], ["作業批次", run_id],
                 ["產製時間", generated or "（本批次無作業紀錄）"], *[list(kv) for kv in STATUS_HELP]]
    for s in sheets:
        help_rows += [[f"{s.title}：{c.heading}", c.explain or c.key] for c in s.columns]
    add_table_sheet(wb, "說明", [Column("item", "項目", 30), Column("text", "說明", 90)], help_rows, None, footer)
    results: list[tuple[Sheet, SheetResult]] = []
    for s in sheets:
        have = cols.get(s.table)
        if have is None:
            note = [[f"本次作業未產出 {s.table}（模型尚未建置或執行失敗）"]]
            results.append((s, add_table_sheet(wb, s.title, [Column("note", "說明", 60)], note, None, footer)))
            continue
        results.append((s, add_table_sheet(wb, s.title, s.columns, _rows(con, s, have, agency), s.highlight, footer)))
    prov = [["作業批次 run id", run_id, "", None], ["資料基準日 logical date", logical_date.isoformat(), "", None],
            ["範圍 scope", scope, "", None], ["觸發者 triggered by", run.get("triggered_by") or "", "", None],
            ["資料區間 data interval", f"{_fmt(run.get('interval_start'))} – {_fmt(run.get('interval_end'))}", "", None],
            ["產製時間 generated (run start)", generated, "", None], *_versions()]
    prov += [[f"工作表 {s.title}", s.table, r.sha256, r.rows] for s, r in results]
    prov += _sources_of(sources, agency)
    cols = [Column("item", "項目", 24), Column("value", "內容", 50), Column("sha256", "SHA-256", 66),
            Column("rows", "筆數", 10)]
    add_table_sheet(wb, "來源與版本", cols, prov, None, footer)
    save_deterministic(wb, out)


def _agencies(con) -> list[str]:
    """Every agency that appears in an agency-level mart (not only those with a register entry)."""
    cols = _main_columns(con)
    parts = [f'SELECT agency_code FROM main."{s.table}"' for s in SHEETS
             if not s.citywide and "agency_code" in cols.get(s.table, set())]
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

    out_dir = paths().exports / logical_date.isoformat()
    day = logical_date.isoformat()
    written: list[Path] = []
    with connect(read_only=True) as con:
        cols = _main_columns(con)
        run, sources = _run_info(con, cols, run_id), _source_files(con, cols)
        for code in agencies:
            path = out_dir / f"pdgov_全市_{day}.xlsx" if code is None else out_dir / "agency" / f"pdgov_{code}_{day}.xlsx"
            _book(con, cols, run_id, logical_date, code, run, sources, path)
            written.append(path)
    return written


def workers_for(books: int) -> int:
    """Processes to write ``books`` workbooks with: one per core once there are enough to repay a start.

    Writing cells is Python (openpyxl), one core per process; a worker's start (imports) costs ~1 s,
    so a handful of workbooks (the demo's six) is written in the task's own process.
    ``PDGOV_EXPORT_WORKERS`` overrides it (1: never share out; the deployment test sets 2).
    """
    if os.environ.get("PDGOV_EXPORT_WORKERS"):
        return max(1, int(os.environ["PDGOV_EXPORT_WORKERS"]))
    return max(1, min(os.cpu_count() or 1, 4)) if books >= PARALLEL_FROM else 1


def _write_shared(run_id: str, logical_date: date, books: list[str | None], n: int) -> list[Path] | None:
    """``books`` shared among ``n`` child processes (``python -m pdgov.exports.workbooks``), in
    ``books`` order; None if they could not be started.

    Child processes through ``subprocess``, not ``multiprocessing``: a Celery worker runs tasks in
    daemonic processes, and multiprocessing refuses children to those ("daemonic processes are not
    allowed to have children" — seen in the deployment test).
    """
    import subprocess
    import sys

    children = []
    try:
        for i in range(n):
            # The share goes on the command line (agency codes are short and checked against
            # SAFE_AGENCY): through stdin, a child would wait for the parent to get round to it.
            children.append(subprocess.Popen(
                [sys.executable, "-m", "pdgov.exports.workbooks", run_id, logical_date.isoformat(),
                 json.dumps(books[i::n])], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True, encoding="utf-8"))
    except OSError as exc:
        for proc in children:
            proc.kill()
            proc.communicate()
        log.warning("pdgov: exports: cannot start processes for the workbooks (%s); writing them in this one", exc)
        return None
    written: list = [None] * len(books)  # child i fills slots i, i + n, …; a failure raises below
    failed = []
    # One child at a time: a child whose pipe fills while another is read just waits its turn.
    for i, proc in enumerate(children):
        out, err = proc.communicate()
        if proc.returncode != 0:
            failed.append(f"exit {proc.returncode}: {err[-2000:]}")
        else:
            written[i::n] = [Path(p) for p in json.loads(out)]  # child i wrote books[i::n], in that order
    if failed:
        raise RuntimeError("pdgov: exports: a workbook process failed: " + " | ".join(failed))
    return written


def write_all(run_id: str, logical_date: date, workers: int | None = None) -> list[Path]:
    """City workbook and one per agency under ``exports/<logical date>/``; returns their paths.

    One folder per logical date: a re-run of the same night replaces its workbooks, and the
    UI lists one set per day. Stale agency workbooks (an agency gone from the data) are removed.
    The city's 300 workbooks are shared out among ``workers`` processes (default: ``workers_for``),
    each on its own read-only connection: DuckDB lets several processes read a file no one writes,
    and this task holds the warehouse pool's one slot. Each workbook is the same bytes either way.
    """
    from pdgov.warehouse import connect

    out_dir = paths().exports / logical_date.isoformat()
    with connect(read_only=True) as con:
        books: list[str | None] = [None, *_agencies(con)]
    n = min(workers if workers is not None else workers_for(len(books)), len(books))
    written = _write_shared(run_id, logical_date, books, n) if n > 1 else None
    if written is None:
        n = 1
        written = _write_books(run_id, logical_date, books)
    for old in (out_dir / "agency").glob("*.xlsx"):
        if old not in written:
            old.unlink()
    log.info("pdgov: %d workbooks in %s (%d process%s)", len(written), out_dir, n, "" if n == 1 else "es")
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
