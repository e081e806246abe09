-- One row per punch. A re-delivered or overlapping export may repeat a punch: keep one.
with source as (
    select * from {{ source('raw', 'punches') }}
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
    md5(concat_ws('|', agency_code, employee_no, {{ pdgov_format_ts('punched_at', '%Y-%m-%d %H:%M:%S') }},
                  coalesce(device_id, ''), method)) as punch_key,
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
