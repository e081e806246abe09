-- seed 004 §12(1): every agency-month has a random sample of at least 3% and at least 10 queries,
-- or every unflagged query when there are fewer; and every flagged query is included (also the month of
-- queries with no agency at all: accounts on no roster in logs naming none, seed 004 §6).
with q as (select * from {{ ref('int_webir_query_flags') }}),

need as (
    select
        agency_code,
        audit_month,
        count(*) as n,
        count(*) filter (where not is_flagged) as n_clean,
        count(*) filter (where is_flagged) as n_flagged
    from q
    group by 1, 2
),

got as (
    select
        agency_code,
        audit_month,
        count(*) filter (where sample_kind = 'random') as random_n,
        count(*) filter (where sample_kind = 'flagged') as flagged_n
    from {{ ref('webir_audit_samples') }}
    group by 1, 2
)

select
    need.*,
    got.random_n,
    got.flagged_n
from need left join got
    on need.agency_code is not distinct from got.agency_code and need.audit_month = got.audit_month
where
    coalesce(got.random_n, 0) < least(need.n_clean, greatest(10, ceil(0.03 * need.n)))
    or coalesce(got.flagged_n, 0) <> need.n_flagged
