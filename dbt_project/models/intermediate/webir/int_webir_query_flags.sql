-- Every WebIR query up to the run's date with the flags of seed 004 §12(1) and §8:
--   missing_case_or_reason  no 案號 or no 事由;
--   after_hours             outside office hours: Monday–Friday 08:00–18:00 Asia/Taipei (vars
--                           office_hours_start / office_hours_end), so weekends and nights are flagged;
--   inactive_account        the account was not active at the time of the query: unknown to the account
--                           roster, created after the query, or — in the roster snapshot in force on the
--                           query's day (the latest delivered on or before it, else the earliest) —
--                           disabled or held by someone transferred, resigned or retired;
--   colleague_lookup        the subject is on the querying agency's own staff roster (§8);
--   self_lookup             the subject is the account holder;
--   unknown_account         the account is on no WebIR account roster at all (seed 004 §6): the query is
--                           kept and always sampled, never dropped (it is also inactive_account).
-- agency_code is the account's agency in the roster at the time (int_webir_queries); agency_mismatch
-- (the log's own agency differs from the roster's) is shown beside the flags, not a sampling flag.
{% set start_h = var('office_hours_start', 8) %}
{% set end_h = var('office_hours_end', 18) %}
with q as (
    select * from {{ ref('int_webir_queries') }}
    where query_date <= {{ pdgov_as_of() }}
),

state_at_time as (
    -- the snapshot in force on the query's day: one range match per query, however many snapshots
    select
        q.query_key,
        s.account,
        s.employee_no,
        s.agency_code,
        s.status,
        s.employment,
        s.created_at
    from q
    inner join {{ ref('int_webir_account_snapshots') }} as s
        on q.account = s.account and q.query_date >= s.valid_from and q.query_date < s.valid_to
),

roster as (
    select * from {{ ref('stg_roster') }}
),

flagged as (
    select
        q.*,
        cast({{ dbt.date_trunc('month', 'q.queried_at') }} as date) as audit_month,
        (q.case_no is null or q.reason is null) as flag_missing_case_or_reason,
        (
            extract(isodow from q.queried_at) > 5
            or extract(hour from q.queried_at) < {{ start_h }}
            or extract(hour from q.queried_at) >= {{ end_h }}
        ) as flag_after_hours,
        (
            a.account is null or a.status <> 'active' or a.employment <> 'employed'
            or (a.created_at is not null and a.created_at > q.query_date)
        ) as flag_inactive_account,
        exists(
            select 1 from roster as r
            where r.agency_code = q.agency_code and r.national_id_hmac = q.subject_hmac
                and (
                    a.employee_no is null or r.agency_code <> a.agency_code
                    or r.employee_no <> a.employee_no
                )
        ) as flag_colleague_lookup,
        exists(
            select 1 from roster as r
            where r.agency_code = a.agency_code and r.employee_no = a.employee_no
                and r.national_id_hmac = q.subject_hmac
        ) as flag_self_lookup,
        q.unknown_account as flag_unknown_account
    from q
    left join state_at_time as a on q.query_key = a.query_key
)

select
    query_key,
    agency_code,
    given_agency_code,
    agency_mismatch,
    account,
    queried_at,
    query_date,
    op_code,
    subject_hmac,
    subject_masked,
    case_no,
    reason,
    result,
    source_file,
    file_sha256,
    line_no,
    loaded_at,
    audit_month,
    flag_missing_case_or_reason,
    flag_after_hours,
    flag_inactive_account,
    flag_colleague_lookup,
    flag_self_lookup,
    flag_unknown_account,
    concat_ws(
        ',',
        case when flag_missing_case_or_reason then 'missing_case_or_reason' end,
        case when flag_after_hours then 'after_hours' end,
        case when flag_inactive_account then 'inactive_account' end,
        case when flag_colleague_lookup then 'colleague_lookup' end,
        case when flag_self_lookup then 'self_lookup' end,
        case when flag_unknown_account then 'unknown_account' end
    ) as flags,
    (
        flag_missing_case_or_reason or flag_after_hours or flag_inactive_account
        or flag_colleague_lookup or flag_self_lookup or flag_unknown_account
    ) as is_flagged
from flagged
