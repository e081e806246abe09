-- 資通安全稽核範圍 (seed 000 原則貳二(二) and the council's 列入後續資安查核重點): what the security
-- audit must look at. Every approved biometric device (kept in use, so audited — PRC parts included when
-- the committee let it stay, 原則貳二(二)), and every prohibited device (PRC brand, or bought after the
-- rule with PRC origin) still connected to the government intranet (the audit must verify it is taken off; 行政院
-- 109-12-18 函: 大陸廠牌 … 不得與公務環境介接). One row per device, with the reason it is in scope.
select
    c.device_id,
    c.agency_code,
    c.model,
    c.brand,
    c.status as compliance_status,
    case
        when c.status = 'approved' and (c.origin_is_prc or c.mainboard_is_prc or c.chip_is_prc)
            then '委員會核准繼續使用之生物特徵設備，含大陸地區零組件 (approved despite PRC parts)'
        when c.status = 'approved' then '委員會核准繼續使用之生物特徵設備 (approved biometric device)'
        when c.brand_is_prc then '大陸廠牌設備仍連接公務環境，須查核斷開 (PRC brand still on the intranet)'
        else '原則訂定後購置之大陸地區產製設備仍連接公務環境，須查核斷開 (new PRC-origin purchase still on the intranet)'
    end as audit_reason,
    d.storage_location,
    d.intranet,
    d.connection,
    d.protocol
from {{ ref('device_compliance') }} as c
inner join {{ ref('stg_devices') }} as d on c.device_id = d.device_id
where (c.status = 'approved' and c.has_biometrics)
    or (c.status = 'prohibited' and coalesce(d.intranet, true))
