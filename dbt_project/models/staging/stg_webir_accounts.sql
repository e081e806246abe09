-- The latest known state of each WebIR account (by roster snapshot date).
with ranked as (
    select *, row_number() over (partition by account order by snapshot_date desc, _loaded_at desc) as _rn
    from {{ pdgov_raw_with_file_name(source('raw', 'webir_accounts')) }}
)
select
    account,
    employee_no,
    agency_code,
    role,
    status,
    created_at,
    last_used_at,
    employment,
    snapshot_date,
    _source_file as source_file,
    _file_sha256 as file_sha256
from ranked
where _rn = 1
