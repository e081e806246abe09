-- seed 000 貳/參: a PRC-brand device is never approved, whatever the committee column says.
select
    device_id,
    brand,
    status
from {{ ref('device_compliance') }}
where brand_is_prc and status <> 'prohibited'
