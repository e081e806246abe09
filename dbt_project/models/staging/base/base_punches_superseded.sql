-- Raw punch rows that another delivery of the same punch supersedes (一筆打卡重複送達時被取代之列):
-- for each natural key (agency, employee, time, device, method) the latest load wins, then the file
-- name, then the line; every other row of that key is here, with the file that won. stg_punches
-- is raw.punches without these rows. Incremental: a night decides again only the keys it touched
-- (pdgov_punches_prepare_increment). Overlapping exports are rare, so the table stays small.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ pdgov_punches_prepare_increment() }}"
) }}
with source as (
    -- The file name (a tie-break) is the ledger's, joined after the touched keys narrowed the rows.
    select r.*, f.file_name as _source_file
    from {{ source('raw', 'punches') }} r
    {% if is_incremental() %}
    join {{ pdgov_punches_touched() }} k
      on r.agency_code = k.agency_code and r.employee_no = k.employee_no and r.punched_at = k.punched_at
     and coalesce(r.device_id, '') = coalesce(k.device_id, '') and r.method = k.method
    {% endif %}
    left join {{ source('ops', 'ingest_files') }} f on f.file_sha256 = r._file_sha256
),
ranked as (
    select *,
        row_number() over w as _rn,
        first_value(_file_sha256) over w as _winner_sha256
    from source
    window w as (
        partition by agency_code, employee_no, punched_at, coalesce(device_id, ''), method
        order by _loaded_at desc, _source_file, _line_no
    )
)
select
    _file_sha256 as file_sha256,
    _line_no as line_no,
    agency_code,
    employee_no,
    punched_at,
    nullif(device_id, '') as device_id,
    method,
    _winner_sha256 as superseded_by_sha256,
    _loaded_at as loaded_at
from ranked
where _rn > 1
