-- seed 000 資料管理計畫書 二(三): 差勤機內保存最新的20000筆刷卡記錄. Rows: a device whose declared buffer is
-- missing or above the policy, or whose storage place (二(一) 資料存放地點) is missing, that is not reported.
select
    device_id,
    record_capacity,
    storage_location
from {{ ref('device_record_capacity') }}
where
    (
        record_capacity is null
        or record_capacity > {{ var('device_buffer_policy', 20000) }}
        or nullif(trim(storage_location), '') is null
    )
    and not needs_report
