-- raw.punches, every delivered row: 差勤刷卡紀錄 (attendance punches), lineage columns named as everywhere else.
select
    agency_code,
    employee_no,
    punched_at,
    device_id,
    method,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'punches') }}
