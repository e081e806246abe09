-- Quarterly report for the Labor Bureau (勞工局, seed 004 §2(2) 權責管理機關; §12(1): the audit records
-- go to it every three months), per agency and quarter: queries, flagged queries by kind, how many were
-- sampled (random draw and flagged), how many the auditor has audited (webir_audit_findings), and how
-- many of those were anomalies (異常). unaudited = sampled - audited.
with q as (
    select
        *,
        cast({{ dbt.date_trunc('quarter', 'audit_month') }} as date) as quarter_start
    from {{ ref('int_webir_query_flags') }}
),

sampled as (
    select
        s.agency_code,
        cast({{ dbt.date_trunc('quarter', 's.audit_month') }} as date) as quarter_start,
        count(*) filter (where s.sample_kind = 'random') as random_sampled,
        count(*) as sampled,
        count(f.query_key) as audited,
        count(*) filter (where f.result = 'anomaly') as anomalies
    from {{ ref('webir_audit_samples') }} as s
    left join {{ ref('webir_audit_findings') }} as f on s.query_key = f.query_key
    group by 1, 2
),

queried as (
    select
        agency_code,
        quarter_start,
        count(*) as queries,
        count(*) filter (where is_flagged) as flagged_queries,
        count(*) filter (where flag_colleague_lookup or flag_self_lookup) as colleague_or_self_lookups,
        count(*) filter (where flag_after_hours) as after_hours_queries,
        count(*) filter (where flag_missing_case_or_reason) as missing_case_or_reason,
        count(*) filter (where flag_inactive_account) as inactive_account_queries,
        count(*) filter (where flag_unknown_account) as unknown_account_queries
    from q
    group by 1, 2
)

select
    q.agency_code,
    q.quarter_start,
    cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 3, 'q.quarter_start')) }} as date) as quarter_end,
    extract(year from q.quarter_start) || 'Q' || extract(quarter from q.quarter_start) as quarter_label,
    q.queries,
    q.flagged_queries,
    coalesce(s.random_sampled, 0) as random_sampled,
    coalesce(s.sampled, 0) as sampled,
    coalesce(s.audited, 0) as audited,
    coalesce(s.anomalies, 0) as anomalies,
    coalesce(s.sampled, 0) - coalesce(s.audited, 0) as unaudited,
    q.colleague_or_self_lookups,
    q.after_hours_queries,
    q.missing_case_or_reason,
    q.inactive_account_queries,
    q.unknown_account_queries
from queried as q
left join sampled as s
    on q.agency_code is not distinct from s.agency_code and q.quarter_start = s.quarter_start
