-- seed 000 原則參一: from the rule (112-11-21) on, no attendance device whose origin is the PRC may be
-- bought, whatever its brand. Rows: a device acquired on or after the rule with PRC origin of the device,
-- its mainboard or its chips that is not prohibited.
select
    device_id,
    acquired_on,
    status
from {{ ref('device_compliance') }}
where
    acquired_on >= cast('{{ var("device_rule_date", "2023-11-21") }}' as date)
    and (origin_is_prc or mainboard_is_prc or chip_is_prc)
    and status <> 'prohibited'
