-- Staff per agency, pseudonymised: the national ID exists only as keyed HMAC and masked form.
with ranked as (
    select *, row_number() over (partition by agency_code, employee_no order by _loaded_at desc) as _rn
    from {{ pdgov_raw_with_file_name(source('raw', 'roster')) }}
)
select
    agency_code,
    employee_no,
    national_id_hmac,
    national_id_masked,
    name,
    email,
    _source_file as source_file,
    _file_sha256 as file_sha256
from ranked
where _rn = 1
