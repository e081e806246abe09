-- 逾期未查核樣本 (seed 004 §12(1): the monthly sample is audited and the record kept): sampled queries
-- with no finding 30 days after they were drawn. A month's sample is drawn once the month is over
-- (管理者每月列印查詢紀錄單): drawn_on is the first day of the next month, or the day the query's log was
-- loaded when that came later. audit_due_on = drawn_on + 30 days; the query is listed from the day after
-- (as of the run's date), like a deadline: on audit_due_on itself it is not yet overdue.
{% set as_of = pdgov_as_of() %}
with samples as (
    select * from {{ ref('webir_audit_samples') }}
),

queries as (
    select
        query_key,
        loaded_at
    from {{ ref('int_webir_query_flags') }}
),

findings as (
    select query_key from {{ ref('webir_audit_findings') }}
),

drawn as (
    select
        s.agency_code,
        s.audit_month,
        s.query_key,
        s.sample_kind,
        s.flags,
        s.account,
        s.queried_at,
        greatest(
            cast({{ dbt.dateadd('month', 1, 's.audit_month') }} as date),
            cast(q.loaded_at as date)
        ) as drawn_on
    from samples as s
    inner join queries as q on s.query_key = q.query_key
    where not exists (
            select 1 from findings as f
            where f.query_key = s.query_key
        )
)

select
    agency_code,
    audit_month,
    query_key,
    sample_kind,
    flags,
    account,
    queried_at,
    drawn_on,
    cast({{ dbt.dateadd('day', 30, 'drawn_on') }} as date) as audit_due_on,
    cast({{ as_of }} as date) - cast({{ dbt.dateadd('day', 30, 'drawn_on') }} as date) as days_overdue
from drawn
where cast({{ dbt.dateadd('day', 30, 'drawn_on') }} as date) < {{ as_of }}
