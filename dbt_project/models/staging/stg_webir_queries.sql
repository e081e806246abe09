-- One row per WebIR query; query_key is stable across re-deliveries of the same log.
with ranked as (
    select *, row_number() over (partition by query_key order by _loaded_at desc, _source_file) as _rn
    from {{ pdgov_raw_with_file_name(source('raw', 'webir_queries')) }}
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
    _source_file as source_file,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from ranked
where _rn = 1
