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
with delivered as (
    -- The file name (a tie-break) is the ledger's, joined after the touched keys narrowed the rows.
    select
        r.*,
        f.file_name as source_file
    from {{ ref('stg_raw__punches') }} as r
    {% if is_incremental() %}
        inner join {{ pdgov_punches_touched() }} as k
            on
                r.agency_code = k.agency_code
                and r.employee_no = k.employee_no
                and r.punched_at = k.punched_at
                and coalesce(r.device_id, '') = coalesce(k.device_id, '')
                and r.method = k.method
    {% endif %}
    left join {{ ref('stg_ingest__ingest_files') }} as f on r.file_sha256 = f.file_sha256
),

ranked as (
    select
        *,
        row_number() over w as _rn,
        first_value(file_sha256) over w as _winner_sha256
    from delivered
    window w as (
        partition by agency_code, employee_no, punched_at, coalesce(device_id, ''), method
        order by loaded_at desc, source_file asc, line_no asc
    )
)

select
    file_sha256,
    line_no,
    agency_code,
    employee_no,
    punched_at,
    nullif(device_id, '') as device_id,
    method,
    _winner_sha256 as superseded_by_sha256,
    loaded_at
from ranked
where _rn > 1
