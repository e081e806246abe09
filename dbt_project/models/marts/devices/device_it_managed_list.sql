-- 資訊局列冊管理清單 (seed 000 原則貳二(二)): a biometric device the committee allows to stay in use
-- (status approved) is put on the IT department's managed list. One row per device.
select
    c.device_id,
    c.agency_code,
    c.model,
    c.brand,
    d.vendor,
    d.modalities,
    d.in_service_since,
    d.storage_location,
    d.intranet,
    d.connection,
    d.protocol
from {{ ref('device_compliance') }} as c
inner join {{ ref('stg_devices') }} as d on c.device_id = d.device_id
where c.status = 'approved' and c.has_biometrics
