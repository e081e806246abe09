-- 帳號清查 (seed 004 §6(6)): duplicate accounts for one person, accounts idle past the threshold
-- (var idle_days, default 90 days as of the run's date), holders transferred, resigned or retired while
-- the account is still active, and signs of shared use (one account in two agencies' logs).
{% set idle_days = var('idle_days', 90) %}
with acc as (select * from {{ ref('stg_webir_accounts') }}),
q as (select * from {{ ref('stg_webir_queries') }}),
dup as (
    select a.account, a.agency_code, 'duplicate' as finding,
        '同一人(員工編號 ' || a.employee_no || ')持有 ' || cast(n.n as varchar) || ' 個帳號' as detail
    from acc a
    join (select agency_code, employee_no, count(*) as n from acc where status = 'active' group by 1, 2 having count(*) > 1) n
      on n.agency_code = a.agency_code and n.employee_no = a.employee_no
    where a.status = 'active'
),
idle as (
    select account, agency_code, 'idle',
        '逾 {{ idle_days }} 日未使用(最後使用 ' || coalesce(strftime(last_used_at, '%Y-%m-%d'), '從未') || ')'
    from acc
    where status = 'active'
      and (last_used_at is null
           or cast(last_used_at as date) < cast('{{ var("as_of_date") }}' as date) - interval {{ idle_days }} day)
),
moved as (
    select account, agency_code, employment,
        case employment when 'transferred' then '持有人已調職，帳號仍啟用'
                        when 'resigned' then '持有人已離職，帳號仍啟用'
                        else '持有人已退休，帳號仍啟用' end
    from acc
    where status = 'active' and employment in ('transferred', 'resigned', 'retired')
),
shared as (
    select a.account, a.agency_code, 'shared',
        '同一帳號出現於 ' || cast(count(distinct q.agency_code) as varchar) || ' 個機關之查詢日誌：'
        || string_agg(distinct q.agency_code, '、')
    from q join acc a on a.account = q.account
    group by a.account, a.agency_code
    having count(distinct q.agency_code) > 1
)
select * from dup
union all select * from idle
union all select * from moved
union all select * from shared
