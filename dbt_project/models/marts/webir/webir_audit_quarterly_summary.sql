-- Quarterly summary for the Labor Bureau (seed 004 §12(1): every three months).
with q as (
    select
        *,
        cast(date_trunc('quarter', audit_month) as date) as quarter_start
    from {{ ref('int_webir_query_flags') }}
),

sampled as (
    select
        agency_code,
        cast(date_trunc('quarter', audit_month) as date) as quarter_start,
        count(*) filter (where sample_kind = 'random') as random_sampled
    from {{ ref('webir_audit_samples') }}
    group by 1, 2
)

select
    q.agency_code,
    q.quarter_start,
    count(*) as queries,
    count(*) filter (where q.is_flagged) as flagged_queries,
    coalesce(max(s.random_sampled), 0) as random_sampled,
    count(*) filter (where q.flag_colleague_lookup or q.flag_self_lookup) as colleague_or_self_lookups,
    count(*) filter (where q.flag_after_hours) as after_hours_queries,
    count(*) filter (where q.flag_missing_case_or_reason) as missing_case_or_reason,
    count(*) filter (where q.flag_inactive_account) as inactive_account_queries
from q
left join sampled as s on q.agency_code = s.agency_code and q.quarter_start = s.quarter_start
group by 1, 2
