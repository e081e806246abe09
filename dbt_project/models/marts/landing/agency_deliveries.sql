-- 繳交情形: per agency and source it is expected to deliver (seed agency_delivery_expectations), as of the
-- run's date — the last delivery, the data it covers, what is missing or late, and the files refused and
-- not yet re-delivered. Statuses:
--   missing  nothing of this source has ever arrived for the agency (未繳交);
--   late     monthly: the previous month's data (or, before due_day, the month before) is not in yet;
--            yearly: the last delivery is older than max_age_days (逾期);
--   ok       on time (已繳交).
-- What was delivered is read from the data, per agency: punches (int_register_punch_people, one row per
-- person), devices (stg_devices), the WebIR log by the querying agency the roster gives (int_webir_queries),
-- the account roster (its snapshots). A refused file belongs to the agency whose code starts its name
-- (379000000A_…); it is re-delivered once a file of the same source and agency (or, without an agency in
-- the name, of the same name) loads after it in a later run (the same night's other files are not a fix).
{% set as_of = pdgov_as_of() %}
with agencies as (
    select
        agency_code,
        agency_name
    from {{ ref('city_agencies') }}
),

expectations as (
    select * from {{ ref('agency_delivery_expectations') }}
),

webir_agencies as (
    select distinct agency_code from {{ ref('int_webir_accounts_as_of') }}
    where agency_code is not null
),

general as (
    select
        a.agency_code,
        e.source,
        e.source_zh,
        e.cadence,
        e.due_day,
        e.max_age_days,
        e.basis
    from expectations as e
    inner join agencies as a
        on e.applies_to = 'all'
            or (e.applies_to = 'webir_agencies' and a.agency_code in (select w.agency_code from webir_agencies as w))
),

own as (
    select
        applies_to as agency_code,
        source,
        source_zh,
        cadence,
        due_day,
        max_age_days,
        basis
    from expectations
    where applies_to not in ('all', 'webir_agencies')
),

expected as (
    select * from own
    union all
    select g.* from general as g
    where not exists (
            select 1 from own as o
            where o.agency_code = g.agency_code and o.source = g.source
        )
),

delivered as (
    select
        agency_code,
        'punches' as source,
        max(last_loaded_at) as last_delivered_at,
        max(last_punch_date) as covered_through
    from {{ ref('int_register_punch_people') }}
    group by 1, 2
    union all
    select
        agency_code,
        'devices' as source,
        max(loaded_at) as last_delivered_at,
        max(cast(loaded_at as date)) as covered_through
    from {{ ref('stg_devices') }}
    where cast(loaded_at as date) <= {{ as_of }}
    group by 1, 2
    union all
    select
        agency_code,
        'webir' as source,
        max(loaded_at) as last_delivered_at,
        max(query_date) as covered_through
    from {{ ref('int_webir_queries') }}
    where query_date <= {{ as_of }} and agency_code is not null
    group by 1, 2
    union all
    select
        agency_code,
        'webir_accounts' as source,
        max(loaded_at) as last_delivered_at,
        max(snapshot_date) as covered_through
    from {{ ref('stg_raw__webir_accounts') }}
    where snapshot_date <= {{ as_of }}
    group by 1, 2
),

files as (
    select
        *,
        case when {{ pdgov_regex_match('file_name', '^[0-9]{9}[A-Z]_') }} then substr(file_name, 1, 10) end
            as file_agency_code
    from {{ ref('stg_ingest__ingest_files') }}
),

refused_pending as (
    select
        r.file_agency_code as agency_code,
        r.source,
        count(*) as refused_pending,
        string_agg(r.file_name, '；' order by r.file_name) as refused_files
    from files as r
    where r.status = 'rejected'
        and r.file_agency_code is not null
        and cast(r.first_seen_at as date) <= {{ as_of }}
        and not exists (
            select 1 from files as l
            where
                l.status = 'loaded' and l.source = r.source and l.first_seen_at > r.first_seen_at
                and l.run_id <> r.run_id
                and (l.file_agency_code = r.file_agency_code or l.file_name = r.file_name)
        )
    group by 1, 2
),

periods as (
    select
        e.*,
        -- the month whose data is due: the previous month once due_day has passed, else the month before
        case when e.cadence = 'monthly' then
                cast({{ dbt.dateadd(
                    'month',
                    "case when extract(day from " ~ as_of ~ ") > e.due_day then -1 else -2 end",
                    dbt.date_trunc('month', as_of)
                ) }} as date)
        end as due_month
    from expected as e
    where e.cadence <> 'none'
)

select
    p.agency_code,
    p.source,
    p.source_zh,
    p.cadence,
    p.basis,
    p.due_month,
    case
        when p.cadence = 'monthly'
            then cast({{ dbt.dateadd('day', 'p.due_day - 1', dbt.dateadd('month', 1, 'p.due_month')) }} as date)
        when d.last_delivered_at is not null
            then cast({{ dbt.dateadd('day', 'p.max_age_days', 'cast(d.last_delivered_at as date)') }} as date)
    end as due_by,
    d.last_delivered_at,
    d.covered_through,
    case
        when d.last_delivered_at is null then 'missing'
        when p.cadence = 'monthly' and d.covered_through < p.due_month then 'late'
        when p.cadence = 'yearly'
            and cast(d.last_delivered_at as date)
            < cast({{ dbt.dateadd('day', '-p.max_age_days', as_of) }} as date) then 'late'
        else 'ok'
    end as status,
    coalesce(r.refused_pending, 0) as refused_pending,
    r.refused_files
from periods as p
left join delivered as d on p.agency_code = d.agency_code and p.source = d.source
left join refused_pending as r on p.agency_code = r.agency_code and p.source = r.source
