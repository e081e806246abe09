-- The WebIR account roster as known on the run's date: per account, the latest snapshot delivered on or
-- before as_of_date; when the first roster arrived only later (a backfill before any roster), the
-- earliest snapshot stands in and snapshot_after_as_of says so. last_activity_at adds the account's
-- own queries in the WebIR log up to that date, so an account cannot look idle while it is querying.
{% set as_of = pdgov_as_of() %}
with ranked as (
    select
        *,
        row_number() over (
            partition by account
            order by
                case when snapshot_date <= {{ as_of }} then 0 else 1 end,
                case when snapshot_date <= {{ as_of }} then snapshot_date end desc,
                snapshot_date
        ) as _rn
    from {{ ref('int_webir_account_snapshots') }}
),

logged as (
    select
        account,
        max(queried_at) as last_query_at
    from {{ ref('stg_webir_queries') }}
    where query_date <= {{ as_of }}
    group by 1
)

select
    s.account,
    s.employee_no,
    s.agency_code,
    s.role,
    s.status,
    s.created_at,
    s.last_used_at,
    s.employment,
    s.snapshot_date,
    s.holder_hmac,
    s.person_key,
    s.snapshot_date > {{ as_of }} as snapshot_after_as_of,
    l.last_query_at,
    -- a use recorded after the run's date is not known on that date (backfills)
    coalesce(
        greatest(case when cast(s.last_used_at as date) <= {{ as_of }} then s.last_used_at end, l.last_query_at),
        case when cast(s.last_used_at as date) <= {{ as_of }} then s.last_used_at end,
        l.last_query_at
    ) as last_activity_at
from ranked as s
left join logged as l on s.account = l.account
where s._rn = 1
