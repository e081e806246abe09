"""The zh-TW texts an incident sends: the §45 report, the §44 notice, the four-hour escalation.

The body is rendered once, when the message is queued, and stored in the outbox: a retry sends the
same words, and the record kept five years is exactly what the person was told.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Any

KIND_REPORT = "report"
KIND_NOTICE = "subject_notice"
KIND_ESCALATION = "escalation"
KIND_BLI_REPORT = "bli_report"


@dataclass(frozen=True)
class Message:
    kind: str
    recipient: str
    subject: str
    body: str
    agency_code: str | None = None
    employee_no: str | None = None


def _ts(value: Any) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return "" if value is None else str(value)


def _or_dash(value: Any) -> str:
    return str(value) if value not in (None, "") else "—"


def report(s: dict[str, Any], contact_window: str) -> Message:
    """The report to the contact window with the content §45 fixes."""
    scope = "；".join(x for x in (
        f"設備型號 {s['scope_model']}" if s.get("scope_model") else "",
        f"設備編號 {s['scope_device_ids']}" if s.get("scope_device_ids") else "",
        f"機關 {s['scope_agency_code']}" if s.get("scope_agency_code") else "",
        f"資料集 {s['scope_dataset']}" if s.get("scope_dataset") else "",
    ) if x)
    authority = ""
    if s.get("authority_report_required"):
        authority = f"\n九、主管機關通報：本事件符合72小時內通報主管機關之條件，期限 {_ts(s.get('authority_due_at'))}。\n"
    body = f"""個人資料侵害事件通報（依臺北市政府政風處個人資料保護管理要點第45點）

事件編號：{s['incident_id']}

一、通報人：{s['reporter']}（聯絡方式：{s['reporter_contact']}）
二、知悉時間：{_ts(s['known_at'])}（應於 {_ts(s['report_due_at'])} 前完成通報）
三、外洩方式：{s['method']}
四、發生地點：{s['location']}
五、事件說明：{s['description']}
六、影響範圍：{_or_dash(scope)}；期間 {_or_dash(_ts(s.get('scope_from')))} 至 {_or_dash(_ts(s.get('scope_to')))}
七、預估影響：
    個人資料類別：{_or_dash(s.get('category_labels'))}
    筆數：{s['records']} 筆
    當事人數：{s['people']} 人（涉及 {s['agencies']} 個機關：{_or_dash(s.get('agency_codes'))}）
    涉案設備：{s['devices_implicated']} 台（分布於 {s['device_agencies']} 個機關，已列入預防性停用清單）
    無電子郵件之當事人：{s['people_without_email']} 人（需以其他方式通知）
八、已採取之因應措施：{s['containment']}
{authority}
當事人通知：影響範圍經承辦人確認後（pdgov incident confirm 或 Airflow 確認作業），系統依第44點逐一以電子郵件通知上列當事人。
本信由 pdgov 個資治理系統自動產生。
"""
    return Message(KIND_REPORT, contact_window, f"【個資事件通報】{s['incident_id']} {s['method']}"[:200], body)


def notice(s: dict[str, Any], person: dict[str, Any], contact_window: str) -> Message:
    """The notice to one data subject: facts, measures, what to do, where to ask, remedies (§44)."""
    name = person.get("name") or "同仁"
    body = f"""{name} 您好：

本府於 {_ts(s['known_at'])} 知悉一起個人資料侵害事件（事件編號 {s['incident_id']}），依個人資料保護法第12條及臺北市政府政風處個人資料保護管理要點第44點通知您。

一、事件事實：{s['description']}（{s['method']}；地點：{s['location']}）
二、涉及您的個人資料：涉案設備或資料集（{_or_dash(person.get('device_ids'))}）保有您於 {_ts(person.get('first_punched_at'))} 至 {_ts(person.get('last_punched_at'))} 間以 {_or_dash(person.get('methods'))} 打卡之紀錄共 {person.get('records', 0)} 筆{"，以及您於設備註冊之生物特徵" if person.get('biometric_enrolled') else ""}；個人資料類別：{_or_dash(person.get('category_codes'))}。
三、本府已採取之措施：{s['containment']}
四、建議您採取之措施：請改以行動打卡或其他方式打卡，勿再使用上述設備；如發現帳號、差勤紀錄或個人資料遭異常使用，請立即通知所屬機關人事室及下列窗口。
五、諮詢窗口：{contact_window}（個資事件聯絡窗口）；通報人：{s['reporter']}（{s['reporter_contact']}）。
六、補救措施及您的權利：您因本事件處理相關事務所支出之必要費用（如更換設備或申請文件），得檢據向所屬機關人事室申請賠（補）償；並得依個人資料保護法第3條請求查詢、閱覽、補充、更正、停止蒐集處理利用或刪除您的個人資料；如因本事件受有損害，得依同法第28條請求損害賠償，並得依訴願法或國家賠償法等規定尋求救濟。

員工編號：{person['employee_no']}（機關 {person['agency_code']}；身分證統一編號 {_or_dash(person.get('national_id_masked'))}）
本信由 pdgov 個資治理系統自動產生，請勿直接回覆。
"""
    return Message(KIND_NOTICE, person.get("email") or "", f"【個資事件通知】{s['incident_id']} 您的個人資料可能受影響",
                   body, person["agency_code"], person["employee_no"])


def escalation(s: dict[str, Any], head: str, now: datetime) -> Message:
    """The four-hour escalation to the unit's head / the next level up (單位主管／上級): the report has
    not gone out and the deadline has passed. It goes to them, not back to the contact window."""
    body = f"""個資事件通報逾時陳報（單位主管／上級）

事件編號：{s['incident_id']}
知悉時間：{_ts(s['known_at'])}
通報期限：{_ts(s['report_due_at'])}（知悉後4小時，臺北市政府政風處個人資料保護管理要點第45點）
檢查時間：{_ts(now)}
通報人：{s['reporter']}（{s['reporter_contact']}）

截至檢查時間，本事件向個資事件聯絡窗口之通報尚未完成寄送，已逾4小時時限，特此陳報。請督導確認通報及應變措施（第43點）之處理情形。
本信由 pdgov 個資治理系統自動產生。
"""
    return Message(KIND_ESCALATION, head, f"【逾時陳報上級】個資事件 {s['incident_id']} 未於4小時內完成通報", body)


def bli_report(s: dict[str, Any], bli: str) -> Message:
    """The report to the Bureau of Labor Insurance (勞保局) of an incident involving its data: seed 004
    §12(10) (應即時通報勞保局並提供前開相關資料), sent with the §45 report, not after confirmation."""
    body = f"""涉及勞保局資料之個人資料安全事故通報（依臺北市政府使用勞保WebIR管理要點第12點第10款）

事件編號：{s['incident_id']}
通報人：{s['reporter']}（聯絡方式：{s['reporter_contact']}）
知悉時間：{_ts(s['known_at'])}
事故方式：{s['method']}
發生地點：{s['location']}
事件說明：{s['description']}
影響範圍：資料集 {_or_dash(s.get('scope_dataset'))}；機關 {_or_dash(s.get('scope_agency_code'))}；期間 {_or_dash(_ts(s.get('scope_from')))} 至 {_or_dash(_ts(s.get('scope_to')))}
個人資料類別：{_or_dash(s.get('category_labels'))}
已採取之緊急應變措施：{s['containment']}

本府將續行事故調查、責任釐清及研擬防免損害擴大之對策，並提供相關資料。
本信由 pdgov 個資治理系統自動產生。
"""
    return Message(KIND_BLI_REPORT, bli, f"【勞保局資料安全事故通報】{s['incident_id']} {s['method']}"[:200], body)


def as_html(body: str) -> str:
    """The HTML part SmtpHook sends: the same text, escaped, line breaks kept."""
    return ("<html><body><div style=\"font-family:'Microsoft JhengHei',sans-serif;white-space:pre-wrap\">"
            + html.escape(body) + "</div></body></html>")
