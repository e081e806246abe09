"""Which marts become which sheets of the committee workbooks, declared as data.

A sheet is a ``Sheet``: its title, the mart it reads, its columns (zh-TW heading, width, the
explanation the 說明 sheet prints, and the zh-TW word each status code shows as), the row order,
which codes are highlighted, and whether it is printed as a table or also as a form. Adding a sheet
(a missing-deliveries list, audit findings) is one more ``Sheet`` in ``SHEETS``; a column the mart
does not have yet prints empty, and a mart the run did not build gets a sheet that says so.

Columns a mart does not carry but a reference table does are filled by ``LOOKUPS`` (the agency's
name from the seed ``city_agencies``), joined by the workbook writer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pdgov.exports.excel import Column


def _c(key: str, heading: str, width: int = 10, explain: str = "", labels: dict[str, str] | None = None,
       list_sep: str | None = None) -> Column:
    return Column(key, heading, width, explain, labels or {}, list_sep)


# Status words the cells show; the codes stay in the data and beside the words in the 說明 sheet.
DEVICE_STATUS = {"prohibited": "禁止使用", "flagged": "需說明產地", "rejected": "委員會不核准",
                 "review_required": "需委員會審查", "approved": "已核准", "suspended": "委員會暫停使用"}
COMMITTEE_STATUS = {"pending": "待審", "approved": "核准", "rejected": "不核准"}
COMMITTEE_DECISION = {"approved": "核准", "rejected": "不核准", "suspended": "暫停使用"}
BUFFER_STATUS = {"within_policy": "符合", "above_policy": "超過原則筆數", "missing": "未填報"}
DEADLINE_STATUS = {"retained": "保存中", "due": "屆期待刪除", "overdue": "逾期未刪除", "held": "資料保全中",
                   "deleted": "已刪除"}
SAMPLE_KIND = {"random": "隨機抽樣", "flagged": "異常必抽"}
QUERY_FLAGS = {"missing_case_or_reason": "未填案號或事由", "after_hours": "非上班時間",
               "inactive_account": "帳號已停用", "colleague_lookup": "查詢同仁", "self_lookup": "查詢本人"}
QUERY_FLAGS["unknown_account"] = "帳號未列清冊"  # seed 004 §6: an account on no roster, always sampled
AUDIT_RESULT = {"normal": "正常", "anomaly": "異常"}  # 查核結果 (seed 004 §12(1)); the auditor picks a word
DELIVERY_STATUS = {"ok": "已繳交", "late": "逾期", "missing": "未繳交"}
CADENCE = {"monthly": "每月", "yearly": "異動時及每年"}
ACCOUNT_FINDING = {"duplicate": "一人多帳號", "idle": "閒置帳號", "transferred": "已調職", "resigned": "已離職",
                   "retired": "已退休", "shared": "疑似共用"}
CLOCK_STATUS = {"pending": "未屆期", "on_time": "準時通報", "late": "逾時通報", "overdue": "逾時未通報"}
RISK_LEVEL = {"high": "高", "medium": "中", "low": "低"}
PUBLICATION_STATUS = {"published": "已公告", "due": "公告期限內", "overdue": "逾期未公告"}

AGENCY = _c("agency_code", "機關代碼", 11, "機關代碼（10碼：9位數字及1個大寫英文字母）")
AGENCY_NAME = _c("agency_name", "機關名稱", 16, "機關全銜（依機關清單 city_agencies）")
# column key -> (reference table, the key it joins on, the column it gives)
LOOKUPS = {"agency_name": ("city_agencies", "agency_code", "agency_name")}

FILE_NAME = _c("file_name", "(二)個人資料檔案名稱", 18, "第2款：個人資料檔案之名稱")
# The twenty items of seed 002 (臺北市政府政風處個人資料保護管理要點) 第37點第2項 in their order, then the
# risk assessment (第38點) and publication (第32點); the citations each agency's rules give are columns too.
REGISTER = [
    AGENCY,
    AGENCY_NAME,
    _c("business_process", "(一)所涉主要業務、職掌內容及辦理流程", 28, "要點第37點第2項第1款：蒐集該個資檔案之業務、職掌與流程"),
    FILE_NAME,
    _c("responsible_unit", "(三)業務主管單位", 12, "第3款：負責該業務之單位"),
    _c("custodian_unit", "(四)保存管理單位", 12, "第4款：實際保存、管理檔案之單位"),
    _c("storage_method", "(五)保管方式", 18, "第5款：紙本或電子、存放系統與位置"),
    _c("file_type", "(六)檔案型態", 10, "第6款：紙本類、電子類、可攜式媒體內之電子檔或系統資料庫（要點所列四類）"),
    _c("data_source", "(七)個人資料來源", 16, "第7款：直接向當事人蒐集或間接取得"),
    _c("legal_basis", "(八)法令或契約上之保有依據", 22, "第8款：保有該檔案之法令或契約依據"),
    _c("notice_duty", "(九)是否須履行告知義務", 10, "第9款：個資法第8、9條告知義務（是/否）"),
    _c("purpose_codes", "(十)特定目的", 16, "第10款：依個人資料保護法之特定目的及個人資料之類別，代號及法定名稱"),
    _c("category_codes", "(十一)個人資料類別", 20, "第11款：個人資料類別代號及法定名稱（C001 辨識個人者等）"),
    _c("data_items", "(十二)個人資料項目", 24, "第12款：實際蒐集之資料項目"),
    _c("art6_items", "(十三)個資法第六條所定個人資料項目", 12, "第13款：病歷、醫療、基因、性生活、健康檢查、犯罪前科等特種個資"),
    _c("record_count", "(十四)個人資料數量", 10, "第14款：資料筆數（由倉儲實際計算）"),
    _c("internal_users", "(十五)內部進行蒐集、處理或利用之單位", 16, "第15款：機關內部使用單位"),
    _c("external_users", "(十六)外部進行蒐集、處理或利用者", 16, "第16款：機關外部使用者"),
    _c("outsourcing", "(十七)委外及受委託對象接觸情形", 16, "第17款：委外廠商接觸個資之情形"),
    _c("retention_period", "(十八)法定或自訂之保存期限", 16, "第18款：保存期限及其依據"),
    _c("destruction_method", "(十九)銷毀方式", 16, "第19款：屆期之銷毀方式"),
    _c("art17_published", "(二十)是否依個資法第十七條規定對外公告", 10, "第20款：是否已依個資法第17條公開（是/否）"),
    _c("risk_level", "風險等級(第38點)", 8, "依要點第38點第1項七款（可識別程度、檔案型態及數量、類別敏感性、過程及環境、存取頻率及存放位置、適法性、"
                                             "個資保護意識及相關知能）評估", RISK_LEVEL),
    _c("risk_basis", "風險評估依據", 30, "第38點七款各項之等級及使其升高之事實"),
    _c("entry_updated_on", "建立或更新日", 11, "檔案登載內容建立或最近一次更新之日（要點第32點）"),
    _c("published_on", "公開日期", 11, "最近一次於機關網站個人資料保護專區公開之日"),
    _c("publication_due_date", "公開期限(第32點)", 11, "建立或更新檔案後一個月內應公開（要點第32點）"),
    _c("publication_status", "公告狀態", 9, "公開日期早於建立或更新日且已逾期者紅底", PUBLICATION_STATUS),
    _c("inventory_basis", "清冊依據", 20, "本清冊所依之規定及點次（各機關規定不同者依其規定；預設要點第37點）"),
]
# 設備紀錄容量 (資料管理計畫書, seed 000): the declared buffer, the biometrics held, where stored.
DEVICE_CAPACITY = [
    AGENCY,
    AGENCY_NAME,
    _c("device_id", "設備編號", 12, "差勤設備編號"),
    _c("model", "型號", 14, "設備型號"),
    _c("biometric_data", "生物特徵資料", 14, "設備所存之生物特徵（資料蒐集方式）"),
    _c("record_capacity", "設備保存筆數", 10, "設備保存最新之刷卡筆數（資料管理計畫書）"),
    _c("policy_capacity", "原則筆數", 9, "原則：差勤機內保存最新的20000筆刷卡記錄"),
    _c("buffer_status", "保存筆數檢核", 11, "超過原則筆數或未填報者黃底", BUFFER_STATUS),
    _c("storage_location", "資料存放地點", 18, "資料存放地點（資料管理計畫書二(一)）"),
    _c("findings", "檢核結果", 40, "應提報事項（可能多項，以「；」分隔）"),
]
# TAIPEION 優先 (seed 000 原則壹): punches by method per agency and devices near end of life.
TAIPEION_FIRST = [
    AGENCY,
    AGENCY_NAME,
    _c("window_start", "統計期間起", 11, "近12個月之起日（不含當日）"),
    _c("window_end", "統計期間迄", 11, "基準日"),
    _c("punches", "打卡筆數", 10, "期間內打卡總筆數"),
    _c("app_punches", "TAIPEION行動打卡", 10, "TAIPEION APP 行動打卡筆數"),
    _c("web_punches", "WebITR打卡", 9, "WebITR 網頁打卡筆數"),
    _c("biometric_punches", "生物特徵打卡", 10, "指紋、臉部、指靜脈、掌形打卡筆數"),
    _c("card_punches", "卡片打卡", 8, "卡片打卡筆數"),
    _c("app_share", "TAIPEION占比", 9, "行動打卡筆數／打卡總筆數"),
    _c("biometric_share", "生物特徵占比", 9, "生物特徵打卡筆數／打卡總筆數"),
    _c("previous_biometric_share", "前期生物特徵占比", 10, "前12個月之生物特徵占比（比較趨勢）"),
    _c("biometric_devices", "生物特徵設備數", 9, "最新清冊之生物特徵差勤設備數"),
    _c("devices_near_end_of_life", "屆齡設備數", 8, "12個月內屆滿或已逾使用年限之設備數（宜汰除不再購置）"),
    _c("near_end_of_life_device_ids", "屆齡設備編號", 20, "屆齡設備之編號"),
    _c("service_life_years", "使用年限(年)", 8, "採用之使用年限（財物標準分類最低使用年限，可調整）"),
]
# The table prints across pages with its key columns repeated: agency and file come first.
REGISTER_TABLE = [AGENCY, AGENCY_NAME, FILE_NAME, *[c for c in REGISTER if c not in (AGENCY, AGENCY_NAME, FILE_NAME)]]
DEVICES = [
    AGENCY,
    AGENCY_NAME,
    _c("device_id", "設備編號", 12, "差勤設備編號"),
    _c("model", "型號", 14, "設備型號"),
    _c("vendor", "廠商", 12, "供應廠商"),
    _c("brand", "廠牌", 12, "設備廠牌"),
    _c("committee_status", "清冊填報審查", 9, "機關於清冊自行填報之審查狀態（非核准依據）", COMMITTEE_STATUS),
    _c("committee_decision", "委員會決議", 9, "資料治理委員會決議（核准依據）", COMMITTEE_DECISION),
    _c("decision_date", "決議日期", 11, "作成決議之會議日期"),
    _c("decision_doc_no", "決議文號", 16, "決議之文號"),
    _c("status", "合規狀態", 12, "禁止使用、不核准者紅底；需說明產地、暫停使用者黃底", DEVICE_STATUS),
    _c("reasons", "理由", 50, "判定理由（可能多項，以「；」分隔）"),
]
DEADLINES = [
    AGENCY,
    AGENCY_NAME,
    _c("dataset", "資料集", 12, "資料集代號"),
    _c("dataset_zh", "資料集名稱", 14, "資料集中文名稱"),
    _c("period_start", "期間起", 11, "該批資料之起日"),
    _c("period_end", "期間迄", 11, "該批資料之迄日"),
    _c("rule_id", "規則", 14, "保存期限規則代號"),
    _c("legal_basis", "法令依據", 30, "保存期限之法令依據"),
    _c("deletion_basis", "刪除依據", 30, "刪除之依據：保存期間屆滿（個人資料保護法第11條第3項；要點第21點簽奉核定後刪除）"),
    _c("delete_by", "刪除期限", 11, "最遲應刪除之日期"),
    _c("status", "狀態", 10, "逾期未刪除者紅底；屆期待刪除者黃底", DEADLINE_STATUS),
    _c("rows_remaining", "尚存筆數", 9, "倉儲中尚存之筆數"),
    _c("hold_ids", "保全編號", 14, "暫停刪除之資料保全（legal hold）編號"),
]
# Deletion batches awaiting a signed approval (seed 002 §21 簽奉核定, §23 notice to the agencies).
APPROVAL_STATUS = {"pending": "待核定", "overdue": "逾期未核定", "approved": "已核定待刪除", "deleted": "已刪除"}
PROPOSALS = [
    _c("batch_id", "批次", 18, "刪除批次代號（規則－資料月份），核定時引用"),
    _c("dataset_zh", "資料集名稱", 14, "資料集中文名稱"),
    _c("period_start", "期間起", 11, "該批資料之起日"),
    _c("period_end", "期間迄", 11, "該批資料之迄日"),
    _c("rows_due", "屆期筆數", 9, "已屆保存期限之筆數"),
    _c("agencies", "使用機關", 24, "資料所屬及曾利用之機關代碼（第23點應通知）"),
    _c("rule_id", "規則", 14, "保存期限規則代號"),
    _c("legal_basis", "保存依據", 30, "至少保存之法令依據"),
    _c("deletion_basis", "刪除依據", 30, "刪除之依據：保存期間屆滿（個人資料保護法第11條第3項）"),
    _c("delete_by", "刪除期限", 11, "最遲應刪除之日期"),
    _c("status", "核定狀態", 11, "逾期未核定者紅底；待核定者黃底", APPROVAL_STATUS),
    _c("approved_by", "核定人", 10, "簽奉核定之人員"),
    _c("approved_at", "核定時間", 16, "核定登錄時間"),
    _c("approval_ref", "簽文號", 16, "核定簽文文號"),
    _c("deleted_at", "刪除時間", 16, "核定後首次夜間作業刪除之時間"),
]
# Deletions the agency carries out on its own devices and files, with the evidence it returned.
TASK_KIND = {"device_templates": "設備全部特徵值", "staff_templates": "離職退休人員特徵值",
             "webir_results": "WebIR查詢所得資料"}
TASK_STATUS = {"open": "待辦理", "overdue": "逾期未回報", "done": "已回報完成"}
TASKS = [
    AGENCY,
    AGENCY_NAME,
    _c("task_id", "作業編號", 34, "回報完成時引用（pdgov retention task-done）"),
    _c("task_kind", "作業類別", 14, "刪除標的", TASK_KIND),
    _c("device_id", "設備編號", 12, "應刪除特徵值之設備"),
    _c("employee_no", "員工編號", 10, "離職或退休人員"),
    _c("case_no", "案號", 14, "使用完竣之WebIR案件"),
    _c("items", "件數", 7, "特徵值數或查詢筆數"),
    _c("reason", "刪除事由", 30, "應刪除之原因"),
    _c("basis", "依據", 30, "刪除依據"),
    _c("obligation_start", "起算日", 11, "離職、停用、使用完竣或首次列管之日"),
    _c("due_date", "刪除期限", 11, "起算日後一個月"),
    _c("status", "狀態", 10, "逾期未回報者紅底；待辦理者黃底", TASK_STATUS),
    _c("done_on", "完成日", 11, "機關回報完成之日"),
    _c("confirmed_by", "回報人", 10, "回報人員"),
    _c("evidence_ref", "佐證文號", 16, "刪除證明文件文號"),
]
SAMPLES = [
    AGENCY,
    AGENCY_NAME,
    _c("audit_month", "抽查月份", 11, "受抽查之月份（該月1日）"),
    _c("sample_kind", "抽樣類別", 9, "異常必抽者紅底", SAMPLE_KIND),
    _c("draw_order", "抽樣序位", 8, "隨機樣本之排序位置（見說明「抽樣規則」）"),
    _c("queries_in_month", "當月查詢筆數", 10, "該機關當月 WebIR 查詢總筆數（決定抽樣數）"),
    _c("query_key", "查詢紀錄鍵", 34, "查詢紀錄之穩定鍵值（同一筆紀錄重送仍相同）"),
    _c("flags", "異常註記", 24, "異常原因（可能多項）", QUERY_FLAGS, list_sep=","),
    _c("account", "查詢者帳號", 14, "WebIR 查詢者帳號"),
    _c("queried_at", "查詢時間", 18, "查詢時間（臺北時間）"),
    _c("subject_masked", "被查詢者(遮蔽)", 12, "被查詢者身分證統一編號（遮蔽，例 A12****789）"),
    _c("case_no", "案號", 12, "查詢所依據之案號"),
    _c("reason", "事由", 20, "查詢事由"),
    _c("sample_seed", "抽樣種子", 28, "抽樣種子 = 規則代號|機關代碼|年-月（見說明「抽樣規則」）"),
]
# The auditor's columns, empty as exported: filled and returned to landing/webir_audit_results/ they load
# as findings (pdgov.audit.intake; seed 004 §12(1) 查核紀錄). 查核結果 offers 正常/異常 as a list.
AUDIT_COLUMNS = [
    _c("result", "查核結果", 9, "查核人員比對查調資料之結果：正常或異常（下拉選單）；空白者不視為已查核", AUDIT_RESULT),
    _c("note", "查核說明", 24, "查核說明（異常者請說明情形）"),
    _c("auditor", "查核人", 10, "查核人員姓名"),
    _c("audited_on", "查核日期", 11, "查核日期（例 2026-12-05）"),
]
SAMPLES += [
    _c("given_agency_code", "日誌所載機關", 11, "查詢日誌本身所載機關代碼（欄位或檔名）；查詢機關以帳號清冊為準"),
    _c("agency_mismatch", "機關不一致", 8, "日誌所載機關與帳號清冊所屬機關不同（以帳號清冊為準）"),
    *AUDIT_COLUMNS,
]
DELIVERIES = [
    AGENCY,
    AGENCY_NAME,
    _c("source_zh", "資料類別", 16, "應繳交之資料"),
    _c("cadence", "繳交頻率", 10, "每月：上月資料應於每月繳交期限日前繳交；異動時及每年：至少每年一次", CADENCE),
    _c("due_month", "應繳月份", 11, "每月繳交者：依基準日應已繳交之月份（該月1日）"),
    _c("due_by", "繳交期限", 11, "該月份資料之繳交期限；每年繳交者為最後繳交日加一年"),
    _c("last_delivered_at", "最後繳交時間", 18, "最後一次載入該機關此類資料之時間（臺北時間）"),
    _c("covered_through", "資料涵蓋至", 11, "已繳交資料之最後日期"),
    _c("status", "繳交狀態", 9, "未繳交者紅底；逾期者黃底", DELIVERY_STATUS),
    _c("refused_pending", "退件未補正", 8, "退件且尚未補送之檔案數（明細見退件報告與 quarantine 資料夾）"),
    _c("refused_files", "退件檔名", 30, "退件未補正之檔名"),
    _c("basis", "依據", 30, "應繳交之依據"),
]
QUARTERLY = [
    AGENCY,
    AGENCY_NAME,
    _c("quarter_label", "季別", 8, "查核季別（例 2026Q4）"),
    _c("quarter_start", "季起日", 11, "該季第一日"),
    _c("quarter_end", "季迄日", 11, "該季最後一日"),
    _c("queries", "查詢筆數", 9, "該季 WebIR 查詢總筆數"),
    _c("sampled", "抽查筆數", 9, "隨機抽樣與異常必抽之筆數"),
    _c("random_sampled", "隨機抽樣筆數", 9, "每月至少3%且不少於10筆"),
    _c("flagged_queries", "異常必抽筆數", 9, "有異常註記之查詢（全數抽查）"),
    _c("audited", "已查核筆數", 9, "查核人員已填具查核結果之筆數"),
    _c("anomalies", "查核異常筆數", 9, "查核結果為異常之筆數（重大異常應會同政風及資訊單位稽核，第12點第2款）"),
    _c("unaudited", "未查核筆數", 9, "抽查而尚未填具查核結果之筆數"),
    _c("colleague_or_self_lookups", "查詢同仁或本人", 9, "查詢同仁或本人之筆數（第8點）"),
    _c("after_hours_queries", "非上班時間", 9, "非上班時間查詢之筆數"),
    _c("missing_case_or_reason", "缺案號或事由", 9, "未填案號或事由之筆數"),
    _c("inactive_account_queries", "非啟用帳號", 9, "非啟用帳號查詢之筆數"),
    _c("unknown_account_queries", "未列帳號清冊", 9, "帳號未列於帳號清冊之查詢筆數"),
]
UNAUDITED = [
    AGENCY,
    AGENCY_NAME,
    _c("audit_month", "抽查月份", 11, "受抽查之月份（該月1日）"),
    _c("query_key", "查詢紀錄鍵", 34, "查詢紀錄之穩定鍵值"),
    _c("sample_kind", "抽樣類別", 9, "隨機抽樣或異常必抽", SAMPLE_KIND),
    _c("flags", "異常註記", 24, "異常原因（可能多項）", QUERY_FLAGS, list_sep=","),
    _c("account", "查詢者帳號", 14, "WebIR 查詢者帳號"),
    _c("queried_at", "查詢時間", 18, "查詢時間（臺北時間）"),
    _c("drawn_on", "抽樣日", 11, "樣本產生日（該月結束或日誌載入之日）"),
    _c("audit_due_on", "查核期限", 11, "抽樣日後30日"),
    _c("days_overdue", "逾期日數", 8, "至基準日逾查核期限之日數"),
]
FINDINGS = [
    AGENCY,
    AGENCY_NAME,
    _c("audit_month", "抽查月份", 11, "受抽查之月份（該月1日）"),
    _c("query_key", "查詢紀錄鍵", 34, "查詢紀錄之穩定鍵值"),
    *AUDIT_COLUMNS,
    _c("source_file", "回傳檔名", 24, "查核人員回傳之檔案"),
    _c("line_no", "列號", 6, "回傳檔案中之列號（標題列為第1列）"),
]
ACCOUNTS = [
    AGENCY,
    AGENCY_NAME,
    _c("account", "帳號", 16, "WebIR 帳號"),
    _c("finding", "清查結果", 11, "已離職、已退休、疑似共用者紅底", ACCOUNT_FINDING),
    _c("detail", "說明", 50, "清查發現之細節"),
]
INCIDENTS = [
    _c("incident_id", "事件編號", 18, "個資事件編號"),
    _c("known_at", "知悉時間", 18, "機關知悉事件之時間"),
    _c("report_due_at", "通報期限(4小時)", 18, "知悉後4小時內應通報"),
    _c("report_sent_at", "通報時間", 18, "實際通報時間"),
    _c("clock_status", "時限狀態", 10, "逾時通報、逾時未通報者紅底", CLOCK_STATUS),
    _c("escalated_at", "逾時陳報", 18, "逾時後陳報上級之時間"),
    _c("people", "受影響人數", 9, "受影響之當事人數"),
    _c("notices_queued", "當事人通知(排入)", 10, "已排入寄送之當事人通知數"),
    _c("notices_sent", "當事人通知(已寄)", 10, "已寄出之當事人通知數"),
    _c("messages_waiting", "待寄", 6, "尚待寄送之訊息數"),
    _c("messages_in_doubt", "寄送不明", 8, "寄送結果不明、需人工確認之訊息數"),
    _c("bli_report_sent_at", "勞保局通報時間", 18, "涉及勞保局資料之事件即時通報勞保局之時間（勞保WebIR管理要點第12點第10款）"),
    _c("scope_confirmed_by", "範圍確認人", 12, "確認影響範圍者；確認後始通知當事人（要點第44點）"),
    _c("scope_confirmed_at", "範圍確認時間", 18, "確認影響範圍之時間"),
]

# Seed 002 §43: the thirteen response steps per incident, with their times (incident_response_checklist).
STEP_STATUS = {"done": "如期完成", "late": "逾時完成", "open": "未完成"}
RESPONSE_STEPS = [
    _c("incident_id", "事件編號", 18, "個資事件編號"),
    _c("step_no", "項次", 5, "要點第43點第1至13款"),
    _c("step_label", "應變措施", 28, "要點第43點所列應變措施"),
    _c("due_at", "應完成時間", 18, "知悉後4小時（儘速/於4小時內）"),
    _c("done_at", "完成時間", 18, "措施完成時間（pdgov incident step 登錄）"),
    _c("done_by", "執行人", 12, "執行措施者"),
    _c("note", "說明", 30, "辦理情形"),
    _c("step_status", "辦理狀態", 10, "逾時完成者紅底、未完成者黃底", STEP_STATUS),
]

SAMPLE_RULE = (
    "隨機樣本：每一機關每月，將非異常之查詢紀錄依 md5(抽樣種子 與 查詢紀錄鍵 直接相接之字串) 由小到大排序，"
    "取前 max(10, ⌈3% × 當月查詢筆數⌉) 筆（抽樣序位 ≤ 該數）；異常查詢（異常必抽＝flagged）全數列入。"
    "抽樣種子 = 規則代號|機關代碼|YYYY-MM（例 pdgov-webir|379000000A|2026-10），任何人可依此重新導出同一樣本。"
)


@dataclass(frozen=True)
class Form:
    """A sheet also printed as a form: one record per page, its columns down the page."""

    title: str
    caption: str  # the record's heading, ``str.format`` over the row's columns
    skip: tuple[str, ...] = ("agency_code", "agency_name")  # in the caption, not repeated below it
    # The city workbook prints the table (key columns repeated on every page) instead: its form
    # would be ~1,500 pages for the city, and writing it cost ~5 s of CPU of a night at its limit.
    in_city: bool = False


@dataclass(frozen=True)
class Sheet:
    title: str
    table: str
    columns: list[Column]
    order: tuple[str, ...]
    # Highlight: (column key, {code: "violation" | "warning"}), on the data's codes.
    highlight: tuple[str, dict[str, str]] | None = None
    citywide: bool = False  # no agency_code: in the city workbook only
    title_columns: int = 2  # leading columns repeated on every page when the sheet prints wider than one
    form: Form | None = None
    form_columns: list[Column] = field(default_factory=list)  # the form's order (default: ``columns``)
    # Column key -> the words a cell may take, offered as an Excel drop-down list (data validation).
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # False: the sheet lists agencies that may have no data at all (繳交情形 lists every agency of the
    # city): it does not make an agency workbook of its own.
    makes_agency_books: bool = True


SHEETS = [
    Sheet("個人資料檔案清冊", "personal_data_file_register", REGISTER_TABLE, ("agency_code", "file_name"),
          ("publication_status", {"overdue": "violation"}), title_columns=3,
          form=Form("清冊逐檔列印", "個人資料檔案清冊｜{agency_name}（{agency_code}）｜{file_name}"),
          form_columns=REGISTER),
    Sheet("生物特徵差勤設備清冊", "device_compliance", DEVICES, ("agency_code", "device_id"),
          ("status", {"prohibited": "violation", "rejected": "violation", "flagged": "warning",
                      "suspended": "warning"})),
    Sheet("設備紀錄容量", "device_record_capacity", DEVICE_CAPACITY, ("agency_code", "device_id"),
          ("buffer_status", {"above_policy": "warning", "missing": "warning"})),
    Sheet("TAIPEION優先", "device_taipeion_first", TAIPEION_FIRST, ("agency_code",)),
    Sheet("刪除期限", "deletion_deadlines", DEADLINES, ("agency_code", "dataset", "period_start"),
          ("status", {"overdue": "violation", "due": "warning"})),
    Sheet("刪除核定", "deletion_proposals", PROPOSALS, ("period_start", "rule_id"),
          ("status", {"overdue": "violation", "pending": "warning"}), citywide=True, title_columns=1),
    Sheet("刪除作業", "agency_deletion_tasks", TASKS, ("agency_code", "due_date", "task_kind", "device_id", "task_id"),
          ("status", {"overdue": "violation", "open": "warning"})),
    Sheet("WebIR抽查樣本", "webir_audit_samples", SAMPLES,
          ("agency_code", "audit_month", "sample_kind", "draw_order", "query_key"),
          ("sample_kind", {"flagged": "violation"})),
    Sheet("帳號清查", "webir_account_review", ACCOUNTS, ("agency_code", "account", "finding"),
          ("finding", {"resigned": "violation", "retired": "violation", "shared": "violation"})),
    Sheet("個資事件", "incident_clock", INCIDENTS, ("known_at", "incident_id"),
          ("clock_status", {"late": "violation", "overdue": "violation"}), citywide=True, title_columns=1),
    Sheet("個資事件應變措施", "incident_response_checklist", RESPONSE_STEPS, ("incident_id", "step_no"),
          ("step_status", {"late": "violation", "open": "warning"}), citywide=True, title_columns=2),
]
# WebIR audit findings (seed 004 §12(1)) and who has not delivered (issue 18): the sample sheet offers
# 正常/異常 in 查核結果; the quarterly report to 勞工局 is also a workbook of its own (exports.webir_report).
def sheet_of(table: str) -> Sheet:
    """The sheet that prints the mart ``table`` (by name: sheets are added between releases)."""
    return next(s for s in SHEETS if s.table == table)


SAMPLE_SHEET = sheet_of("webir_audit_samples")
SHEETS[SHEETS.index(SAMPLE_SHEET)] = SAMPLE_SHEET = Sheet(
    SAMPLE_SHEET.title, SAMPLE_SHEET.table, SAMPLES, SAMPLE_SHEET.order, SAMPLE_SHEET.highlight,
    choices={"result": tuple(AUDIT_RESULT.values())})
QUARTERLY_SHEET = Sheet("WebIR查核季報", "webir_audit_quarterly_summary", QUARTERLY, ("agency_code", "quarter_start"),
                        None, title_columns=3)
SHEETS += [
    Sheet("WebIR查核結果", "webir_audit_findings", FINDINGS, ("agency_code", "audit_month", "query_key"),
          ("result", {"anomaly": "violation"})),
    Sheet("WebIR逾期未查核", "webir_audit_unaudited", UNAUDITED, ("agency_code", "audit_month", "query_key"),
          ("sample_kind", {"flagged": "violation", "random": "warning"})),
    QUARTERLY_SHEET,
    Sheet("繳交情形", "agency_deliveries", DELIVERIES, ("agency_code", "source"),
          ("status", {"missing": "violation", "late": "warning"}), makes_agency_books=False),
]
STATUS_HELP = [
    ("底色", "紅底：違規（禁止使用之設備、逾期未刪除、異常查詢、離職退休或共用帳號、逾時通報、逾期未公告）；"
           "黃底：待處理（需說明產地之設備、屆期待刪除）"),
    ("狀態文字與代碼", "儲存格顯示中文狀態；倉儲與系統使用之英文代碼列於各欄說明之括號內（例 禁止使用＝prohibited）"),
    ("合規狀態 禁止使用（prohibited）", "大陸廠牌，或原則訂定（112年11月21日）後購置之原產地屬大陸地區設備：禁止使用，"
                                    "不得與公務環境介接（原則貳一、參一）"),
    ("合規狀態 需說明產地（flagged）", "產地不明或無法辨識；設備、主機板或晶片產地為中國大陸而尚無委員會決議；"
                                  "或清冊自填核准而查無委員會決議"),
    ("合規狀態 委員會不核准（rejected）", "資料治理委員會不核准"),
    ("合規狀態 委員會暫停使用（suspended）", "資料治理委員會決議暫停使用"),
    ("合規狀態 需委員會審查（review_required）", "非陸製生物特徵設備，待委員會審查"),
    ("合規狀態 已核准（approved）", "資料治理委員會決議核准（含大陸地區零組件者，理由欄仍列明）：由資訊局列冊管理並列入資通安全稽核"),
    ("委員會決議", "核准依據為資料治理委員會決議檔（最新會議日期為準；同日對設備之決議優先於對型號之決議），非機關清冊自填欄位"),
    ("刪除期限狀態", "保存中＝retained；屆期待刪除＝due；逾期未刪除＝overdue；資料保全中＝held；已刪除＝deleted"),
    ("刪除核定狀態", "待核定＝pending；逾期未核定＝overdue（紅底，已逾刪除期限仍未簽奉核定，要點第21點）；"
               "已核定待刪除＝approved（次一夜間作業刪除）；已刪除＝deleted"),
    ("刪除作業狀態", "待辦理＝open；逾期未回報＝overdue（紅底）；已回報完成＝done（機關以 pdgov retention task-done 回報佐證）"),
    ("抽樣類別", "隨機抽樣＝random（每月至少3%且不少於10筆）；異常必抽＝flagged"),
    ("抽樣規則", SAMPLE_RULE),
    ("查核結果之回傳", "於「WebIR抽查樣本」填具查核結果（正常／異常）、查核說明、查核人、查核日期後，將活頁簿（或該工作表另存之 CSV）"
                "放入 landing/webir_audit_results/，次日作業即載入；查核結果空白之列不視為已查核。查詢紀錄鍵不在抽查樣本者整檔退件並列出列號"),
    ("繳交情形", "各機關應繳交之資料（刷卡紀錄、WebIR 查詢日誌及帳號清冊每月；差勤設備清冊異動時及至少每年）；未繳交者紅底，逾期者黃底"),
    ("個資事件", "全市事件僅列於全市活頁簿；知悉後4小時內應通報，逾時即陳報"),
    ("身分證統一編號", "一律遮蔽顯示（例 A12****789），倉儲僅保存金鑰雜湊"),
    ("列印", "機關活頁簿之「清冊逐檔列印」每頁一個個人資料檔案，依要點第37點第2項列出二十款；各工作表列印比例不低於70%，"
           "跨頁時每頁重複標題列及機關欄（清冊另重複檔案名稱）"),
]
