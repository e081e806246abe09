"""What goes into the committee workbooks: one for the whole city, one per agency.

Each mart becomes a sheet with zh-TW headings in the order users know (the register follows
the twenty fields of seed 002 §37 ¶2). A mart that the run did not produce gets a sheet that
says so, rather than silently missing. National IDs only ever appear masked: the marts carry
no other form.
"""

from __future__ import annotations

import logging
from datetime import date
from pathlib import Path

from openpyxl import Workbook

from pdgov import __version__
from pdgov.config import paths
from pdgov.exports.excel import Column, add_table_sheet, print_setup, save_deterministic, write_cell

log = logging.getLogger("pdgov.exports")


REGISTER = [
    Column("agency_code", "機關代碼", 12),
    Column("business_process", "(一)所涉主要業務、職掌內容及辦理流程", 30),
    Column("file_name", "(二)個人資料檔案名稱", 18),
    Column("responsible_unit", "(三)業務主管單位", 12),
    Column("custodian_unit", "(四)保存管理單位", 12),
    Column("storage_method", "(五)保管方式", 20),
    Column("file_type", "(六)檔案型態", 12),
    Column("data_source", "(七)個人資料來源", 18),
    Column("legal_basis", "(八)法令或契約上之保有依據", 24),
    Column("notice_duty", "(九)是否須履行告知義務", 10),
    Column("purpose_codes", "(十)特定目的", 18),
    Column("category_codes", "(十一)個人資料類別", 22),
    Column("data_items", "(十二)個人資料項目", 26),
    Column("art6_items", "(十三)個資法第六條所定個人資料項目", 12),
    Column("record_count", "(十四)個人資料數量", 10),
    Column("internal_users", "(十五)內部進行蒐集、處理或利用之單位", 16),
    Column("external_users", "(十六)外部進行蒐集、處理或利用者", 16),
    Column("outsourcing", "(十七)委外及受委託對象接觸情形", 18),
    Column("retention_period", "(十八)法定或自訂之保存期限", 18),
    Column("destruction_method", "(十九)銷毀方式", 18),
    Column("art17_published", "(二十)是否依個資法第十七條規定對外公告", 10),
    Column("risk_level", "風險等級(§38)", 10),
    Column("publication_due_date", "公告期限(§32)", 12),
    Column("publication_status", "公告狀態", 10),
]
DEVICES = [
    Column("agency_code", "機關代碼", 12), Column("device_id", "設備編號", 12), Column("model", "型號", 14),
    Column("brand", "廠牌", 12), Column("status", "合規狀態", 14), Column("reasons", "理由", 50),
]
DEADLINES = [
    Column("dataset", "資料集", 14), Column("agency_code", "機關代碼", 12), Column("period_start", "期間起", 12),
    Column("period_end", "期間迄", 12), Column("rule_id", "規則", 14), Column("legal_basis", "法令依據", 30),
    Column("delete_by", "刪除期限", 12), Column("status", "狀態", 10),
]
SAMPLES = [
    Column("agency_code", "機關代碼", 12), Column("audit_month", "抽查月份", 12), Column("query_key", "查詢紀錄鍵", 34),
    Column("sample_kind", "抽樣類別", 10), Column("flags", "異常註記", 30), Column("sample_seed", "抽樣種子", 16),
]
ACCOUNTS = [
    Column("agency_code", "機關代碼", 12), Column("account", "帳號", 16), Column("finding", "清查結果", 14),
    Column("detail", "說明", 50),
]

INCIDENTS = [
    Column("incident_id", "事件編號", 20), Column("known_at", "知悉時間", 18), Column("report_due_at", "通報期限(4小時)", 18),
    Column("report_sent_at", "通報時間", 18), Column("clock_status", "時限狀態", 12), Column("escalated_at", "逾時陳報", 18),
    Column("people", "受影響人數", 10), Column("notices_queued", "當事人通知(排入)", 12),
    Column("notices_sent", "當事人通知(已寄)", 12), Column("messages_waiting", "待寄", 8),
]

# (sheet title, table, columns, order by, violation test on the row)
SHEETS = [
    ("個人資料檔案清冊", "personal_data_file_register", REGISTER, "agency_code, file_name", None),
    ("生物特徵差勤設備清冊", "device_compliance", DEVICES, "agency_code, device_id",
     lambda r: r[4] in ("prohibited", "flagged", "rejected")),
    ("刪除期限", "deletion_deadlines", DEADLINES, "agency_code, dataset, period_start",
     lambda r: r[7] in ("overdue", "due")),
    ("WebIR抽查樣本", "webir_audit_samples", SAMPLES, "agency_code, audit_month, sample_kind, query_key",
     lambda r: r[3] == "flagged"),
    ("帳號清查", "webir_account_review", ACCOUNTS, "agency_code, account, finding", None),
    ("個資事件", "incident_clock", INCIDENTS, "known_at, incident_id", lambda r: "overdue" in str(r[4] or "")),
]
STATUS_HELP = [
    ("合規狀態 prohibited", "中國大陸廠牌：禁止使用，不得連接政府網路（原則貳、參）"),
    ("合規狀態 flagged", "設備、主機板或晶片產地為中國大陸，或產地不明：需說明"),
    ("合規狀態 rejected", "資料治理委員會不核准"),
    ("合規狀態 review_required", "非陸製生物特徵設備，待委員會審查"),
    ("合規狀態 approved", "已核准：列入資訊局納管清單及資安稽核範圍"),
    ("刪除期限狀態", "retained 保存中；due 已屆期待刪除；overdue 逾期未刪除；held 資料保全中；deleted 已刪除"),
    ("抽樣類別", "random 隨機抽樣（每月至少3%且不少於10筆）；flagged 異常必抽"),
]


def _query(con, table: str, columns: list[Column], order: str, agency: str | None):
    from pdgov.warehouse import table_exists

    if not table_exists(con, "main", table):
        return None
    have = {r[0] for r in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema='main' AND table_name=?", [table]
    ).fetchall()}
    sel = ", ".join(c.key if c.key in have else f"NULL AS {c.key}" for c in columns)
    if agency and "agency_code" not in have:
        return None  # a citywide record (e.g. incidents): in the city workbook only
    where = "WHERE agency_code = ?" if agency else ""
    return con.execute(f"SELECT {sel} FROM main.{table} {where} ORDER BY {order}",
                       [agency] if agency else []).fetchall()


def _book(con, run_id: str, logical_date: date, agency: str | None, provenance: list) -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    stamp = f"資料基準日 {logical_date.isoformat()}"
    help_ws = wb.create_sheet("說明")
    write_cell(help_ws, 1, 1, "項目")
    write_cell(help_ws, 1, 2, "說明")
    r = 2
    scope = f"機關 {agency}" if agency else "臺北市政府全市"
    for k, v in [("範圍", scope), ("資料基準日", logical_date.isoformat()), ("作業批次", run_id)] + STATUS_HELP:
        write_cell(help_ws, r, 1, k)
        write_cell(help_ws, r, 2, v)
        r += 1
    for title, _table, cols, _order, _v in SHEETS:
        for c in cols:
            write_cell(help_ws, r, 1, f"{title}：{c.heading}")
            write_cell(help_ws, r, 2, c.explain or c.key)
            r += 1
    help_ws.column_dimensions["A"].width = 40
    help_ws.column_dimensions["B"].width = 80
    print_setup(help_ws, stamp)
    for title, table, cols, order, violation in SHEETS:
        rows = _query(con, table, cols, order, agency)
        if rows is None and agency and table == "incident_clock":
            continue
        if rows is None:
            ws = wb.create_sheet(title)
            write_cell(ws, 1, 1, f"本次作業未產出 {table}（模型尚未建置）")
            print_setup(ws, stamp)
            continue
        add_table_sheet(wb, title, cols, rows, violation, stamp)
    prov = [Column("item", "項目", 24), Column("value", "內容", 70), Column("sha256", "SHA-256", 70),
            Column("rows", "筆數", 10)]
    add_table_sheet(wb, "來源與版本", prov, provenance, None, stamp)
    return wb


def _provenance(con, run_id: str, logical_date: date) -> list[list]:
    import dbt.version

    rows: list[list] = [["作業批次 run id", run_id, "", None], ["資料基準日 logical date", logical_date.isoformat(), "", None],
                        ["pdgov 版本", __version__, "", None], ["dbt 版本", str(dbt.version.__version__), "", None]]
    for source, name, sha, n in con.execute(
        "SELECT source, file_name, file_sha256, rows_in FROM main.ingest_files WHERE status = 'loaded' "
        "ORDER BY source, file_name"
    ).fetchall():
        rows.append([f"來源檔案 {source}", name, sha, n])
    return rows


def write_all(run_id: str, logical_date: date) -> list[Path]:
    """City workbook and one per agency under ``exports/<logical date>/``; returns their paths."""
    from pdgov.warehouse import connect

    p = paths()
    out_dir = p.exports / logical_date.isoformat()
    written: list[Path] = []
    with connect(read_only=True) as con:
        provenance = _provenance(con, run_id, logical_date)
        city = out_dir / f"pdgov_全市_{logical_date.isoformat()}.xlsx"
        save_deterministic(_book(con, run_id, logical_date, None, provenance), city)
        written.append(city)
        agencies = [r[0] for r in con.execute(
            "SELECT DISTINCT agency_code FROM main.personal_data_file_register ORDER BY 1").fetchall()]
        for code in agencies:
            path = out_dir / "agency" / f"pdgov_{code}_{logical_date.isoformat()}.xlsx"
            save_deterministic(_book(con, run_id, logical_date, code, provenance), path)
            written.append(path)
    log.info("pdgov: %d workbooks in %s", len(written), out_dir)
    return written
