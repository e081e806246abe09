-- 差勤設備合規: one row per device with its status and every reason (seed 000 貳、參; seed 003).
-- Precedence (docs/devices.md):
--   prohibited       大陸廠牌 (貳一), or bought on/after the rule (112-11-21, 參一) with PRC origin of any part
--   rejected         the committee said no (latest decision, int_device_committee_decision)
--   suspended        the committee suspended it (暫停使用), e.g. a model implicated in an incident
--   flagged          origin text unknown or unrecognised — the origin check (貳二(一)) is not done, so no
--                    approval stands on it; or no committee decision but PRC parts, or an inventory that
--                    claims 核准 without a committee decision (self_declared_approval)
--   approved         the committee approved it: PRC parts stay as reasons, the decision decides (貳二(二))
--   review_required  biometric, no decision yet
-- A device without biometrics and without findings needs no committee and is approved.
with o as (
    select * from {{ ref('int_device_origin') }}
),

decisions as (
    select * from {{ ref('int_device_committee_decision') }}
),

facts as (
    select
        o.*,
        d.decision as committee_decision,
        d.meeting_date as decision_date,
        d.doc_no as decision_doc_no,
        d.decided_on as decision_level,
        o.origin_is_prc or o.mainboard_is_prc or o.chip_is_prc as has_prc_parts,
        o.origin_unrecognised or o.brand_country_unrecognised or o.mainboard_unrecognised as text_unrecognised,
        coalesce(o.purchased_on, o.in_service_since) as acquired_on,
        coalesce(
            coalesce(o.purchased_on, o.in_service_since) >= cast('{{ var("device_rule_date", "2023-11-21") }}' as date),
            false
        ) as bought_after_rule,
        o.committee_status = 'approved' and d.decision is null as self_declared_approval
    from o
    left join decisions as d on o.device_id = d.device_id
),

rated as (
    select
        *,
        bought_after_rule and has_prc_parts as new_purchase_prc,
        case
            when brand_is_prc then 'prohibited'
            when bought_after_rule and has_prc_parts then 'prohibited'
            when committee_decision = 'rejected' then 'rejected'
            when committee_decision = 'suspended' then 'suspended'
            when text_unrecognised or (origin_unknown and has_biometrics) then 'flagged'
            when committee_decision = 'approved' then 'approved'
            when self_declared_approval or has_prc_parts then 'flagged'
            when has_biometrics then 'review_required'
            else 'approved'
        end as status
    from facts
),

reasons as (
    select
        *,
        concat_ws(
            '；',
            case when brand_is_prc then '大陸廠牌：禁止使用並不得與公務環境介接 (PRC brand, 原則貳一)' end,
            case when brand_is_prc and intranet then '仍連接公務環境內網 (still on the government network)' end,
            case
                when new_purchase_prc and not brand_is_prc
                    then '原則訂定後購置之原產地屬大陸地區設備：不得採購 (bought after the rule, PRC origin, 原則參一)'
            end,
            case when origin_is_prc then '設備原產地為中國大陸 (PRC origin)' end,
            case when mainboard_is_prc then '主機板產地為中國大陸 (PRC mainboard)' end,
            case when chip_is_prc then '晶片為中國大陸廠商 (PRC chip vendor)' end,
            case when origin_unknown and has_biometrics then '原產地不明 (origin unknown)' end,
            case
                when origin_unrecognised then '原產地無法辨識：「' || origin_country || '」 (origin_unrecognised)'
            end,
            case
                when brand_country_unrecognised
                    then '廠牌國別無法辨識：「' || brand_country || '」 (brand_country_unrecognised)'
            end,
            case
                when mainboard_unrecognised
                    then '主機板產地無法辨識：「' || mainboard_origin || '」 (mainboard_unrecognised)'
            end,
            case
                when committee_decision is not null
                    then '資料治理委員會決議'
                        || case committee_decision when 'approved' then '核准' when 'rejected' then '不核准' else '暫停使用' end
                        || '（' || cast(decision_date as varchar) || coalesce('，' || decision_doc_no, '')
                        || case when decision_level = 'model' then '，依型號決議' else '' end
                        || '） (committee decision: ' || committee_decision || ')'
            end,
            case
                when self_declared_approval
                    then '清冊自填核准，查無委員會決議 (self_declared_approval)'
            end,
            case
                when committee_decision is null and has_biometrics and not self_declared_approval
                    then '生物特徵設備待委員會審查 (awaiting committee review)'
            end,
            case when not has_biometrics then '無生物特徵辨識功能 (no biometrics)' end
        ) as reasons
    from rated
)

select
    device_id,
    agency_code,
    model,
    brand,
    brand_name,
    status,
    reasons,
    has_biometrics,
    brand_is_prc,
    origin_is_prc,
    mainboard_is_prc,
    chip_is_prc,
    origin_unknown,
    text_unrecognised,
    brand_country_code,
    origin_code,
    mainboard_code,
    acquired_on,
    bought_after_rule,
    new_purchase_prc,
    committee_status,
    self_declared_approval,
    committee_decision,
    decision_date,
    decision_doc_no,
    decision_level,
    intranet
from reasons
