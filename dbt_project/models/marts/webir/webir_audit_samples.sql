-- WebIR 抽查樣本 (seed 004 §12(1)): per data-requesting agency per month, a random sample of
-- sample_size unflagged queries (int_webir_audit_months: at least 3% and at least 10, all when fewer),
-- plus every flagged query. Re-derivable by hand: sample_seed is recorded; order the month's
-- unflagged queries by md5(sample_seed || query_key) and take the first sample_size.
-- agency_code is the account's agency in the roster at the query's time (int_webir_queries); a query by
-- an account on no roster is flagged unknown_account and always in the sample, its agency the log's own
-- (NULL when the log gives none: such a month is matched with `is not distinct from`, never dropped).
with

queries as (
    select * from {{ ref('int_webir_query_flags') }}
),

months as (
    select * from {{ ref('int_webir_audit_months') }}
),

ranked as (
    select
        queries.*,
        months.sample_seed,
        months.queries_in_month,
        months.sample_size,
        row_number() over (
            partition by queries.agency_code, queries.audit_month
            order by md5(months.sample_seed || queries.query_key)
        ) as draw_order
    from queries
    inner join months
        on queries.agency_code is not distinct from months.agency_code and queries.audit_month = months.audit_month
    where not queries.is_flagged
)

select
    agency_code,
    audit_month,
    query_key,
    'random' as sample_kind,
    flags,
    sample_seed,
    draw_order,
    queries_in_month,
    account,
    queried_at,
    subject_masked,
    case_no,
    reason,
    given_agency_code,
    agency_mismatch,
    flag_unknown_account as unknown_account
from ranked
where draw_order <= sample_size

union all

select
    queries.agency_code,
    queries.audit_month,
    queries.query_key,
    'flagged' as sample_kind,
    queries.flags,
    months.sample_seed,
    null as draw_order,
    months.queries_in_month,
    queries.account,
    queries.queried_at,
    queries.subject_masked,
    queries.case_no,
    queries.reason,
    queries.given_agency_code,
    queries.agency_mismatch,
    queries.flag_unknown_account as unknown_account
from queries
inner join months
    on queries.agency_code is not distinct from months.agency_code and queries.audit_month = months.audit_month
where queries.is_flagged
