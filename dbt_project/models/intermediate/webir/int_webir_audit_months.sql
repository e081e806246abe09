-- Each agency-month of the WebIR audit (seed 004 §12(1)): how many queries the agency made, the
-- size of the random sample and the seed it is drawn with. The sample is at least 3% of the
-- month's queries (rounded up) and at least 10, and every query when the month has fewer than 10:
-- 9 queries → 9, 10 → 10, 11 → 10, 333 → 10, 334 → 11, 367 → 12. Flagged queries are audited on
-- top of it (webir_audit_samples). Queries of an unknown account whose log names no agency form the
-- agency 'unknown' in the seed (agency_code NULL).
select
    agency_code,
    audit_month,
    count(*) as queries_in_month,
    cast(least(count(*), greatest(10, ceil(0.03 * count(*)))) as integer) as sample_size,
    '{{ var("audit_seed", "pdgov-webir") }}|'
    || coalesce(agency_code, 'unknown')
    || '|'
    || {{ pdgov_format_ts('audit_month', '%Y-%m') }}
        as sample_seed
from {{ ref('int_webir_query_flags') }}
group by agency_code, audit_month
