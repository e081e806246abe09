-- raw.punches, every delivered row: 差勤刷卡紀錄 (attendance punches), lineage columns named as everywhere else.
-- A view, not ephemeral like the other doors: base_punches_superseded's pre-hook names it as a
-- relation, and the city's punches must never become a CTE a reader could materialize.
{{ config(materialized='view') }}

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
