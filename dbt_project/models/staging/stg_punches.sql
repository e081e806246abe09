-- One row per punch. A re-delivered or overlapping export may repeat a punch: keep one (the latest
-- load wins, then file name, then line).
-- Incremental: a full build de-duplicates every raw punch; a nightly build only decides again the
-- punches whose rows were loaded or replaced since the last build (see pdgov_punches_prepare_increment).
-- The retention purge deletes due punches from this table in the same transaction as from raw.punches.
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ pdgov_punches_prepare_increment() }}"
) }}
with source as (
    {% if is_incremental() %}
    select r.*
    from {{ source('raw', 'punches') }} r
    join {{ pdgov_punches_touched() }} k
      on r.agency_code = k.agency_code and r.employee_no = k.employee_no and r.punched_at = k.punched_at
     and coalesce(r.device_id, '') = coalesce(k.device_id, '') and r.method = k.method
    {% else %}
    select * from {{ source('raw', 'punches') }}
    {% endif %}
),
ranked as (
    select *,
        row_number() over (
            partition by agency_code, employee_no, punched_at, coalesce(device_id, ''), method
            order by _loaded_at desc, _source_file, _line_no
        ) as _rn
    from source
)
select
    agency_code,
    employee_no,
    punched_at,
    cast(punched_at as date) as punch_date,
    nullif(device_id, '') as device_id,
    method,
    method in ('fingerprint', 'face', 'finger_vein', 'palm') as is_biometric,
    _source_file as source_file,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from ranked
where _rn = 1
