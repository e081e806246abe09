-- 帳號清查 (seed 004 §6(6)), as of the run's date, on the account roster as then known
-- (int_webir_accounts_as_of). Findings, one row per account and finding:
--   duplicate    one person holds more than one active account — same agency and employee number, or
--                the same national ID (roster HMAC) across agencies;
--   idle         an active account with no use for more than var idle_days (default 90) days before the
--                run's date, counting both the roster's last-used date and the account's own queries;
--   transferred / resigned / retired   the holder left the post but the account is still active;
--   shared       signs of shared use: the account appears in two agencies' query logs; the detail adds
--                how often it was used from two agencies less than var shared_window_minutes (default
--                2) minutes apart (overlapping sessions, one person cannot be in both places).
{% set idle_days = var('idle_days', 90) %}
{% set window_min = var('shared_window_minutes', 2) %}
{% set as_of = pdgov_as_of() %}
with acc as (
    select * from {{ ref('int_webir_accounts_as_of') }}
    where created_at is null or created_at <= {{ as_of }}
),

active as (
    select * from acc
    where status = 'active'
),

q as (
    select * from {{ ref('stg_webir_queries') }}
    where query_date <= {{ as_of }}
),

dup_people as (
    select
        person_key,
        count(*) as n,
        string_agg(account, '、' order by account) as accounts
    from active
    group by 1
    having count(*) > 1
),

dup as (
    select
        a.account,
        a.agency_code,
        'duplicate' as finding,
        '同一人(員工編號 ' || a.employee_no || ')持有 ' || cast(d.n as varchar) || ' 個啟用帳號：' || d.accounts as detail
    from active as a inner join dup_people as d on a.person_key = d.person_key
),

idle as (
    select
        account,
        agency_code,
        'idle' as finding,
        '逾 {{ idle_days }} 日未使用(最後使用 '
        || coalesce({{ pdgov_format_ts('last_activity_at', '%Y-%m-%d') }}, '從未') || ')' as detail
    from active
    where last_activity_at is null
        or cast(last_activity_at as date) < cast({{ dbt.dateadd('day', '-' ~ idle_days, as_of) }} as date)
),

moved as (
    select
        account,
        agency_code,
        employment as finding,
        case employment when 'transferred' then '持有人已調職，帳號仍啟用'
            when 'resigned' then '持有人已離職，帳號仍啟用'
            else '持有人已退休，帳號仍啟用'
        end as detail
    from active
    where employment in ('transferred', 'resigned', 'retired')
),

two_agencies as (
    select
        q.account,
        count(distinct q.agency_code) as n,
        string_agg(distinct q.agency_code, '、' order by q.agency_code) as agencies
    from q
    group by 1
    having count(distinct q.agency_code) > 1
),

overlapping as (
    -- consecutive queries of one account, less than the window apart, from two agencies' logs; if any
    -- two such queries exist, some consecutive pair between them also does, so looking at the next
    -- query only is exact and stays linear on years of logs.
    select
        account,
        count(*) as n,
        min(queried_at) as first_at
    from (
        select
            account,
            queried_at,
            agency_code,
            lead(queried_at) over w as next_at,
            lead(agency_code) over w as next_agency
        from q
        window w as (partition by account order by queried_at, query_key)
    ) as s
    where next_at <= {{ dbt.dateadd('minute', window_min, 'queried_at') }}
        and next_agency <> agency_code
    group by 1
),

shared as (
    select
        coalesce(t.account, o.account) as account,
        a.agency_code,
        'shared' as finding,
        concat_ws(
            '；',
            case when t.account is not null then
                    '同一帳號出現於 ' || cast(t.n as varchar) || ' 個機關之查詢日誌：' || t.agencies
            end,
            case when o.account is not null then
                    '{{ window_min }} 分鐘內自不同機關重疊使用 ' || cast(o.n as varchar) || ' 次(首次 '
                    || {{ pdgov_format_ts('o.first_at', '%Y-%m-%d %H:%M') }} || ')'
            end
        ) as detail
    from two_agencies as t
    full outer join overlapping as o on t.account = o.account
    left join acc as a on a.account = coalesce(t.account, o.account)
)

select * from dup
union all
select * from idle
union all
select * from moved
union all
select * from shared
