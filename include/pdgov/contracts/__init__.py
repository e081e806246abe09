"""The ingest contracts, one per source, in one place (SPEC §2).

A contract says, for each canonical column: its zh-TW header as agencies export it, its type,
whether it is required, and what values are allowed. Two things are built from it so they
cannot drift apart:

* the row-level checks (``pdgov.ingest.checks``) that find *which* line and column is wrong,
  so a steward gets "line 17, 打卡時間: impossible date" instead of a failed job;
* a pandera schema (Ibis backend, validating inside DuckDB without pulling rows into Python)
  that is the final gate before a file's rows are written to the warehouse.
"""

from __future__ import annotations

from dataclasses import dataclass, field

AGENCY_CODE_RE = r"^[0-9]{9}[A-Z]$"
NATIONAL_ID_RE = r"^[A-Z][12][0-9]{8}$"
YES_NO = {"是": True, "否": False, "Y": True, "N": False, "yes": True, "no": False, "true": True, "false": False}

METHODS = {"指紋": "fingerprint", "臉部": "face", "指靜脈": "finger_vein", "掌形": "palm", "卡片": "card",
           "行動打卡": "app", "TAIPEION": "app", "WebITR": "web"}
BIOMETRIC_METHODS = ("fingerprint", "face", "finger_vein", "palm")
COMMITTEE_STATUS = {"待審": "pending", "核准": "approved", "不核准": "rejected"}
#: 資料治理委員會決議 (seed 000 貳二): what the committee decided on a device or a model.
COMMITTEE_DECISIONS = {"核准": "approved", "同意": "approved", "不核准": "rejected", "不同意": "rejected",
                       "暫停使用": "suspended", "暫停": "suspended"}
ROLES = {"管理者": "admin", "使用者": "user"}
ACCOUNT_STATUS = {"啟用": "active", "停用": "disabled"}
EMPLOYMENT = {"在職": "employed", "調職": "transferred", "離職": "resigned", "退休": "retired"}
#: 查核結果 of a sampled WebIR query as the auditor writes it back (seed 004 §12(1)).
AUDIT_RESULT = {"正常": "normal", "異常": "anomaly"}
#: The workbook sheet an audit-results workbook is read from (the committee workbook's sample sheet).
AUDIT_SAMPLE_SHEET = "WebIR抽查樣本"

# Header words that mean the file carries biometric templates, photos or blobs (SPEC §2).
FORBIDDEN_HEADER_WORDS = ("特徵值", "特徵碼", "template", "photo", "照片", "影像", "image", "指紋檔", "blob",
                          "base64", "臉部圖")


@dataclass(frozen=True)
class Col:
    name: str                      # canonical English name (raw table column)
    zh: str                        # zh-TW header as exported
    kind: str = "text"             # text, timestamp, date, time, int, bool, code, national_id, agency_code
    required: bool = True          # the header must be present
    nullable: bool = False         # an empty cell is allowed
    allowed: dict[str, str] | None = None   # delivered value → canonical value
    aliases: tuple[str, ...] = ()  # other accepted headers: kept in the vocabulary seed now (vocabulary.py)
    not_future: bool = False
    free_text: bool = False        # people type here: national-ID-shaped tokens are pseudonymised (text_ids.py)


@dataclass(frozen=True)
class Contract:
    source: str
    table: str                     # raw.<table>
    columns: tuple[Col, ...]
    key: tuple[str, ...] = ()      # natural key: duplicates inside a file are refused
    extra: tuple[str, ...] = field(default=())  # derived columns the loader adds

    def header_map(self) -> dict[str, str]:
        """Every accepted header (normalised, see ``vocabulary.normalise``) → column: the contract's
        own names and the steward-edited vocabulary seed."""
        from pdgov.contracts.vocabulary import vocabulary

        return dict(vocabulary(self.source).by_name)

    def free_text_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.free_text)


CONTRACTS: dict[str, Contract] = {
    "punches": Contract("punches", "punches", (
        Col("agency_code", "機關代碼", "agency_code"),
        Col("employee_no", "員工編號"),
        Col("punched_at", "打卡時間", "timestamp", not_future=True),
        Col("device_id", "設備編號", nullable=True),
        Col("method", "辨識方式", "code", allowed=METHODS),
    ), key=("agency_code", "employee_no", "punched_at", "device_id", "method")),
    "devices": Contract("devices", "devices", (
        Col("device_id", "設備編號"),
        Col("agency_code", "機關代碼", "agency_code"),
        Col("model", "型號"),
        Col("vendor", "廠商", nullable=True),
        Col("brand", "廠牌"),
        Col("brand_country", "廠牌國別", nullable=True),
        Col("origin_country", "原產地", nullable=True),
        Col("mainboard_origin", "主機板產地", required=False, nullable=True),
        Col("chip_vendor", "晶片廠商", required=False, nullable=True),
        Col("modalities", "辨識方式", "code_list", allowed=METHODS),
        Col("intranet", "內網", "bool", allowed={k: str(v).lower() for k, v in YES_NO.items()}),
        Col("connection", "連線方式", nullable=True),
        Col("protocol", "通訊協定", nullable=True),
        Col("ncc_listed", "NCC審驗", "bool", nullable=True, allowed={k: str(v).lower() for k, v in YES_NO.items()}),
        Col("moda_reported", "數位部通報", "bool", nullable=True,
            allowed={k: str(v).lower() for k, v in YES_NO.items()}),
        Col("committee_status", "委員會審查", "code", allowed=COMMITTEE_STATUS),
        Col("in_service_since", "啟用日期", "date", nullable=True, not_future=True),
        Col("record_capacity", "紀錄容量", "int", nullable=True),
        Col("storage_location", "儲存位置", nullable=True),
        # 參一: a device bought after the rule (112-11-21) — optional, the in-service date stands in.
        Col("purchased_on", "購置日期", "date", required=False, nullable=True, not_future=True),
        # 停用設備…即刪除 (the register's catalogue): a device taken out of service must have its
        # templates deleted on the device — optional, an inventory that lists only devices in use has none.
        Col("retired_on", "停用日期", "date", required=False, nullable=True, not_future=True),
    ), key=("device_id",)),
    "webir": Contract("webir", "webir_queries", (
        Col("agency_code", "機關代碼", "agency_code", required=False),
        Col("account", "查詢者帳號"),
        Col("query_date", "查詢日期", "date", not_future=True),
        Col("query_time", "查詢時間", "time"),
        Col("op_code", "作業代號"),
        Col("subject_id", "被查詢者查詢條件", "national_id"),
        Col("case_no", "案號", nullable=True),
        Col("reason", "事由", nullable=True, free_text=True),
        Col("result", "結果", nullable=True, free_text=True),
    ), key=("account", "query_date", "query_time", "op_code", "subject_id", "case_no")),
    "webir_accounts": Contract("webir_accounts", "webir_accounts", (
        Col("account", "帳號"),
        Col("employee_no", "員工編號"),
        Col("agency_code", "機關代碼", "agency_code"),
        Col("role", "角色", "code", allowed=ROLES),
        Col("status", "狀態", "code", allowed=ACCOUNT_STATUS),
        Col("created_at", "建立日期", "date", not_future=True),
        Col("last_used_at", "最後使用日期", "timestamp", nullable=True, not_future=True),
        Col("employment", "在職狀態", "code", allowed=EMPLOYMENT),
        Col("snapshot_date", "資料日期", "date", required=False, nullable=True),
    ), key=("account",)),
    "roster": Contract("roster", "roster", (
        Col("agency_code", "機關代碼", "agency_code"),
        Col("employee_no", "員工編號"),
        Col("national_id", "身分證統一編號", "national_id"),
        Col("name", "姓名", required=False, nullable=True),
        Col("email", "電子郵件", required=False, nullable=True),
        # 離職時即刪除 (the register's catalogue): an HR export that says who left lets pdgov ask for the
        # deletion of their templates, also of staff without a WebIR account. Optional: most rosters list
        # only staff in service.
        Col("employment", "在職狀態", "code", required=False, nullable=True, allowed=EMPLOYMENT),
        Col("left_on", "離職日期", "date", required=False, nullable=True, not_future=True),
    ), key=("agency_code", "employee_no")),
    "incidents": Contract("incidents", "incidents", (
        Col("incident_id", "事件編號"),
        Col("reporter", "通報人"),
        Col("reporter_contact", "聯絡方式"),
        Col("known_at", "知悉時間", "timestamp", not_future=True),
        Col("method", "外洩方式", free_text=True),
        Col("location", "地點", nullable=True, free_text=True),
        Col("description", "事件說明", nullable=True, free_text=True),
        Col("scope_model", "設備型號", required=False, nullable=True),
        Col("scope_device_ids", "設備編號", required=False, nullable=True),
        Col("scope_agency_code", "機關代碼", required=False, nullable=True),
        Col("scope_dataset", "資料集", required=False, nullable=True),
        Col("scope_from", "起始時間", "timestamp", required=False, nullable=True),
        Col("scope_to", "結束時間", "timestamp", required=False, nullable=True),
        Col("containment", "已採取措施", free_text=True),
    ), key=("incident_id",)),
    # 資料治理委員會決議 (seed 000 貳二, issue 23): the committee's own record is the source of approval,
    # not the column an agency types into its inventory. One row per decision on a device or a model.
    "committee_decisions": Contract("committee_decisions", "committee_decisions", (
        Col("device_id", "設備編號", required=False, nullable=True),
        Col("model", "型號", required=False, nullable=True),
        Col("decision", "決議", "code", allowed=COMMITTEE_DECISIONS),
        Col("meeting_date", "會議日期", "date", not_future=True),
        Col("doc_no", "文號", nullable=True),
        Col("agency_code", "機關代碼", "agency_code", required=False, nullable=True),
        Col("note", "備註", required=False, nullable=True, free_text=True),
    ), key=("device_id", "model", "meeting_date")),
    # The WebIR sample sheet returned by the auditor (seed 004 §12(1) 查核紀錄): one finding per sampled
    # query, keyed by 查詢紀錄鍵. A row whose 查核結果 is empty is not a finding; the sheet's other
    # columns (機關名稱, 抽樣類別, …) are the sample as exported and are dropped. See pdgov.audit.intake.
    "webir_audit_results": Contract("webir_audit_results", "webir_audit_findings", (
        Col("query_key", "查詢紀錄鍵"),
        Col("result", "查核結果", "code", nullable=True, allowed=AUDIT_RESULT),
        Col("note", "查核說明", nullable=True, free_text=True),
        Col("auditor", "查核人", nullable=True),
        Col("audited_on", "查核日期", "date", nullable=True, not_future=True),
        Col("agency_code", "機關代碼", "agency_code", required=False, nullable=True),
        Col("audit_month", "抽查月份", "date", required=False, nullable=True),
    ), key=("query_key",)),
}


def pandera_schema(source: str):
    """The pandera (Ibis backend) schema of a source's *typed* rows, as written to ``raw``."""
    import ibis.expr.datatypes as dt
    import pandera.ibis as pa
    from pandera.ibis import Check, Column

    contract = CONTRACTS[source]
    dtype = {"timestamp": dt.Timestamp(scale=6), "date": dt.Date(), "time": dt.Time(), "int": dt.Int64(),
             "bool": dt.Boolean()}
    cols = {}
    for c in contract.columns:
        if c.kind == "national_id":
            cols["subject_hmac" if source == "webir" else "national_id_hmac"] = Column(
                dt.String(), Check.str_matches(r"^[0-9a-f]{64}$"))
            continue
        if c.name in ("query_date", "query_time"):
            continue
        checks = []
        if c.kind == "agency_code":
            checks.append(Check.str_matches(AGENCY_CODE_RE))
        if c.kind == "code" and c.allowed:
            checks.append(Check.isin(sorted(set(c.allowed.values()))))
        cols[c.name] = Column(dtype.get(c.kind, dt.String()), checks=checks or None,
                              nullable=c.nullable or not c.required or c.kind == "agency_code" and not c.required)
    if source == "webir":
        cols["queried_at"] = Column(dt.Timestamp(scale=6))
        cols["query_key"] = Column(dt.String(), Check.str_matches(r"^[0-9a-f]{32}$"))
        # NULL when the log names no agency (derived from the account roster in dbt, SPEC §2).
        cols["agency_code"] = Column(dt.String(), Check.str_matches(AGENCY_CODE_RE), nullable=True)
    return pa.DataFrameSchema(cols, name=f"pdgov.{source}", strict=False)


#: Column kinds whose values come from a short list — agency codes, code values — so the gate
#: checks each *distinct* value against their element-wise rules instead of every row.
DISTINCT_VALUE_KINDS = ("agency_code", "code")
#: The pandera checks that judge one value at a time: only these may move to the distinct values (a
#: column-wide check, or ``unique``, which always passes on distinct values, must see every row).
ELEMENT_WISE_CHECKS = frozenset({"str_matches", "isin"})


def pandera_gate_schemas(source: str):
    """The contract's pandera schema in the two parts the ingest's gate runs on a large load: one
    over the rows (types, nullability, the element-wise checks of high-cardinality columns such as
    the HMAC pseudonyms) and, per low-cardinality column, one over that column's distinct values.

    Why: an element-wise check passes for the file exactly when it passes for every distinct
    value in it, and a 10-million-row punch file has a few hundred agency codes and seven
    methods. Run per row, pandera's regular expression on the agency code was most of the gate's
    time on a large punch file; on the distinct values it costs next to nothing.
    """
    import pandera.ibis as pa

    full = pandera_schema(source)
    kinds = {c.name: c.kind for c in CONTRACTS[source].columns}
    distinct = [n for n, col in full.columns.items()
                if col.checks and kinds.get(n) in DISTINCT_VALUE_KINDS and not col.unique
                and all(ch.name in ELEMENT_WISE_CHECKS for ch in col.checks)]
    rows = pa.DataFrameSchema(
        {n: (pa.Column(col.dtype, nullable=col.nullable, coerce=col.coerce) if n in distinct else col)
         for n, col in full.columns.items()},
        name=full.name, strict=False)
    return rows, {n: pa.DataFrameSchema({n: full.columns[n]}, name=f"{full.name}.{n}") for n in distinct}


def describe() -> str:
    """Markdown table of every contract (the README and docs/ingest.md show it)."""
    lines = ["| source | column | zh-TW header | type | required | empty allowed | allowed values |",
             "|---|---|---|---|---|---|---|"]
    for s, c in CONTRACTS.items():
        for col in c.columns:
            allowed = ", ".join(f"{k}→{v}" for k, v in (col.allowed or {}).items()) if col.kind != "bool" else "是/否"
            lines.append(f"| {s} | {col.name} | {col.zh} | {col.kind} | {'yes' if col.required else 'no'} | "
                         f"{'yes' if col.nullable else 'no'} | {allowed} |")
    return "\n".join(lines)
