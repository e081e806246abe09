-- The latest known state of each WebIR account (by roster snapshot date).
with ranked as (
    select
        *,
        row_number() over (partition by account order by snapshot_date desc, loaded_at desc) as _rn
    from {{ pdgov_with_file_name(ref('stg_raw__webir_accounts')) }}
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
    source_file,
    file_sha256
from ranked
where _rn = 1
