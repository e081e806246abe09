-- Every WebIR query with the flags of seed 004 §12(1) and §8. Office hours: Monday–Friday
-- 08:00–18:00 Asia/Taipei (var office_hours_start/end); an account is not active when its holder
-- resigned, retired or transferred, or the account is disabled.
{% set start_h = var('office_hours_start', 8) %}
{% set end_h = var('office_hours_end', 18) %}
with q as (
    select * from {{ ref('stg_webir_queries') }}
    where query_date <= cast('{{ var("as_of_date") }}' as date)
),
acc as (
    select * from {{ ref('stg_webir_accounts') }}
),
roster as (
    select * from {{ ref('stg_roster') }}
),
flagged as (
    select
        q.*,
        cast(date_trunc('month', q.queried_at) as date) as audit_month,
        (q.case_no is null or q.reason is null) as flag_missing_case_or_reason,
        (extract(isodow from q.queried_at) > 5
         or extract(hour from q.queried_at) < {{ start_h }}
         or extract(hour from q.queried_at) >= {{ end_h }}) as flag_after_hours,
        (a.account is null or a.status <> 'active' or a.employment <> 'employed') as flag_inactive_account,
        exists (select 1 from roster r where r.agency_code = q.agency_code and r.national_id_hmac = q.subject_hmac
                and (a.employee_no is null or r.employee_no <> a.employee_no)) as flag_colleague_lookup,
        exists (select 1 from roster r where r.agency_code = a.agency_code and r.employee_no = a.employee_no
                and r.national_id_hmac = q.subject_hmac) as flag_self_lookup
    from q
    left join acc a on a.account = q.account
)
select
    *,
    array_to_string(list_filter([
        case when flag_missing_case_or_reason then 'missing_case_or_reason' end,
        case when flag_after_hours then 'after_hours' end,
        case when flag_inactive_account then 'inactive_account' end,
        case when flag_colleague_lookup then 'colleague_lookup' end,
        case when flag_self_lookup then 'self_lookup' end
    ], lambda f: f is not null), ',') as flags,
    (flag_missing_case_or_reason or flag_after_hours or flag_inactive_account
     or flag_colleague_lookup or flag_self_lookup) as is_flagged
from flagged
