-- WebIR 抽查樣本 (seed 004 §12(1)): per data-requesting agency per month, a random sample of at least
-- 3% of the queries and at least 10 (every query when the month has fewer than 10), plus every flagged
-- query. Re-derivable by hand: sample_seed is recorded; order the month's unflagged queries by
-- md5(sample_seed || query_key) and take the first k = greatest(10, ceil(0.03 × queries in the month)).
with q as (
    select *, '{{ var("audit_seed", "pdgov-webir") }}|' || agency_code || '|' || {{ pdgov_format_ts('audit_month', '%Y-%m') }}
        as sample_seed
    from {{ ref('int_webir_query_flags') }}
),
month_size as (
    select agency_code, audit_month, count(*) as queries_in_month from q group by 1, 2
),
ranked as (
    select q.*, m.queries_in_month,
        row_number() over (partition by q.agency_code, q.audit_month
                           order by md5(q.sample_seed || q.query_key)) as draw_order
    from q join month_size m using (agency_code, audit_month)
    where not q.is_flagged
)
select agency_code, audit_month, query_key, 'random' as sample_kind, flags, sample_seed, draw_order,
       queries_in_month, account, queried_at, subject_masked, case_no, reason
from ranked
where draw_order <= greatest(10, ceil(0.03 * queries_in_month))
union all
select q.agency_code, q.audit_month, q.query_key, 'flagged', q.flags, q.sample_seed, null, m.queries_in_month,
       q.account, q.queried_at, q.subject_masked, q.case_no, q.reason
from q join month_size m using (agency_code, audit_month)
where q.is_flagged
