-- 大陸廠牌資通訊產品列冊 (seed 000 參、整理與分析(一), 行政院秘書長 109-12-18 函): every PRC-brand device
-- is listed, whatever its declared country or origin, and must be kept off the government network.
-- required_action says what the agency still has to do.
select
    c.device_id,
    c.agency_code,
    c.model,
    c.brand,
    d.brand_country as declared_brand_country,
    d.origin_country,
    d.vendor,
    d.intranet,
    case when coalesce(d.intranet, true) then '立即與公務環境斷開並停止使用 (disconnect from the intranet and stop using it)'
        else '停止使用並列冊管理 (stop using it; keep it listed)'
    end as required_action
from {{ ref('device_compliance') }} as c
inner join {{ ref('stg_devices') }} as d on c.device_id = d.device_id
where c.brand_is_prc
