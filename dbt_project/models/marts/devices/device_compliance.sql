-- 差勤設備合規: one row per device with its status and every reason (seed 000 貳、參; seed 003).
-- Precedence: prohibited (PRC brand) > flagged (PRC origin/parts, unknown origin) > rejected
-- (committee said no) > review_required (biometric, not yet approved) > approved.
with o as (
    select * from {{ ref('int_device_origin') }}
),

reasons as (
    select
        *,
        concat_ws(
            '；',
            case when brand_is_prc then '中國大陸廠牌：禁止使用並不得連接政府網路 (PRC brand)' end,
            case when brand_is_prc and intranet then '仍連接政府內網 (still on the government network)' end,
            case when origin_is_prc then '設備原產地為中國大陸 (PRC origin)' end,
            case when mainboard_is_prc then '主機板產地為中國大陸 (PRC mainboard)' end,
            case when chip_is_prc then '晶片為中國大陸廠商 (PRC chip vendor)' end,
            case when origin_unknown and has_biometrics then '原產地不明 (origin unknown)' end,
            case when committee_status = 'rejected' then '資料治理委員會不核准 (rejected by the committee)' end,
            case
                when has_biometrics and committee_status = 'pending' then '生物特徵設備待委員會審查 (awaiting committee review)'
            end,
            case when committee_status = 'approved' then '委員會已核准 (approved by the committee)' end,
            case when not has_biometrics then '無生物特徵辨識功能 (no biometrics)' end
        ) as reasons
    from o
)

select
    device_id,
    agency_code,
    model,
    brand,
    case
        when brand_is_prc then 'prohibited'
        when origin_is_prc or mainboard_is_prc or chip_is_prc or (origin_unknown and has_biometrics) then 'flagged'
        when committee_status = 'rejected' then 'rejected'
        when has_biometrics and committee_status <> 'approved' then 'review_required'
        else 'approved'
    end as status,
    reasons,
    has_biometrics,
    brand_is_prc,
    origin_is_prc,
    mainboard_is_prc,
    chip_is_prc,
    origin_unknown,
    committee_status,
    intranet
from reasons
