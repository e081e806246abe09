-- WebIR 查核結果 (seed 004 §12(1)): the auditor compared each sampled query with its case file and
-- recorded a result in the returned sample sheet. One row per audited query: the latest filled line
-- (a re-returned sheet corrects an earlier one; a line left empty is not a finding and never erases
-- one). Agency and month are the query's own (int_webir_query_flags), else what the sheet says.
with filled as (
    select
        *,
        row_number() over (
            partition by query_key order by loaded_at desc, file_sha256 desc, line_no desc
        ) as _rn
    from {{ pdgov_with_file_name(ref('stg_raw__webir_audit_findings')) }}
    where result is not null
),

queries as (
    select * from {{ ref('int_webir_query_flags') }}
)

select
    coalesce(q.agency_code, f.agency_code) as agency_code,
    coalesce(q.audit_month, f.audit_month) as audit_month,
    f.query_key,
    f.result,
    f.note,
    f.auditor,
    f.audited_on,
    f.file_sha256,
    f.source_file,
    f.line_no,
    f.loaded_at
from filled as f
left join queries as q on f.query_key = q.query_key
where f._rn = 1
