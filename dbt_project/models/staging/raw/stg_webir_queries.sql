-- One row per WebIR query; query_key is stable across re-deliveries of the same log.
with ranked as (
    select
        *,
        row_number() over (partition by query_key order by loaded_at desc, source_file asc) as _rn
    from {{ pdgov_with_file_name(ref('stg_raw__webir_queries')) }}
)

select
    query_key,
    agency_code,
    account,
    queried_at,
    cast(queried_at as date) as query_date,
    op_code,
    subject_hmac,
    subject_masked,
    nullif(trim(case_no), '') as case_no,
    nullif(trim(reason), '') as reason,
    result,
    source_file,
    file_sha256,
    line_no,
    loaded_at
from ranked
where _rn = 1
