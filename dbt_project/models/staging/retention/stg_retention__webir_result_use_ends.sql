-- End of use of WebIR query results (使用結束日) as stewards recorded it.
{{ config(materialized='ephemeral') }}

select
    agency_code,
    case_no,
    use_ended_on,
    note,
    recorded_by,
    recorded_at
from {{ source('retention', 'webir_result_use_ends') }}
