-- Staff per agency, pseudonymised: the national ID exists only as keyed HMAC and masked form.
with ranked as (
    select
        *,
        row_number() over (partition by agency_code, employee_no order by loaded_at desc) as _rn
    from {{ pdgov_with_file_name(ref('stg_raw__roster')) }}
)

select
    agency_code,
    employee_no,
    national_id_hmac,
    national_id_masked,
    name,
    email,
    employment,
    left_on,
    loaded_at,
    source_file,
    file_sha256
from ranked
where _rn = 1
