-- What each agency actually holds, per personal-data file, measured from the data (seed 002 §37 ¶2
-- (十四)) as of the run's date, so a backfill measures the register as it stood that day.
-- biometric_enrolment: people enrolled = distinct staff who punched with a biometric method; an agency
-- with a biometric device but no biometric punch yet still holds the file (templates live on the device).
{% set as_of = pdgov_as_of() %}
with biometric_devices as (
    select
        agency_code,
        count(*) as device_count
    from {{ ref('stg_devices') }}
    where has_biometrics and (in_service_since is null or in_service_since <= {{ as_of }})
    group by 1
),

-- Both files from the per-person punch counts (int_register_punch_people), not from the punches.
punch_stats as (
    select
        agency_code,
        cast(sum(punch_count) as bigint) as record_count,
        count(distinct employee_no) as people_count,
        min(first_punch_date) as first_record_date,
        max(last_punch_date) as last_record_date,
        max(last_loaded_at) as last_loaded_at,
        count(distinct employee_no) filter (where is_biometric) as bio_people,
        min(first_punch_date) filter (where is_biometric) as bio_first_date,
        max(last_punch_date) filter (where is_biometric) as bio_last_date,
        max(last_loaded_at) filter (where is_biometric) as bio_last_loaded_at
    from {{ ref('int_register_punch_people') }}
    group by 1
),

punch_files as (
    select
        agency_code,
        'punches' as dataset,
        record_count,
        people_count,
        first_record_date,
        last_record_date,
        last_loaded_at
    from punch_stats
),

biometric_punches as (
    select
        agency_code,
        bio_people as people,
        bio_first_date as first_date,
        bio_last_date as last_date,
        bio_last_loaded_at as last_loaded_at
    from punch_stats
    where bio_people > 0
),

biometric as (
    select
        coalesce(p.agency_code, d.agency_code) as agency_code,
        'biometric_enrolment' as dataset,
        coalesce(p.people, 0) as record_count,
        coalesce(p.people, 0) as people_count,
        p.first_date as first_record_date,
        p.last_date as last_record_date,
        p.last_loaded_at
    from biometric_punches as p
    full outer join biometric_devices as d on p.agency_code = d.agency_code
),

webir as (
    select
        agency_code,
        'webir' as dataset,
        count(*) as record_count,
        count(distinct subject_hmac) as people_count,
        min(query_date) as first_record_date,
        max(query_date) as last_record_date,
        max(loaded_at) as last_loaded_at
    from {{ ref('int_webir_queries') }}
    where query_date <= {{ as_of }} and agency_code is not null  -- no roster account, no agency in the log
    group by 1
),

accounts as (
    select
        agency_code,
        'webir_accounts' as dataset,
        count(*) as record_count,
        count(distinct employee_no) as people_count,
        min(created_at) as first_record_date,
        max(cast(last_used_at as date)) as last_record_date,
        cast(null as timestamp) as last_loaded_at
    from {{ ref('stg_webir_accounts') }}
    where created_at is null or created_at <= {{ as_of }}
    group by 1
),

roster as (
    select
        agency_code,
        'roster' as dataset,
        count(*) as record_count,
        count(distinct employee_no) as people_count,
        cast(null as date) as first_record_date,
        cast(null as date) as last_record_date,
        cast(null as timestamp) as last_loaded_at
    from {{ ref('stg_roster') }}
    group by 1
)

select
    m.*,
    coalesce(d.device_count, 0) as biometric_device_count
from (
    select * from punch_files
    union all
    select * from biometric
    union all
    select * from webir
    union all
    select * from accounts
    union all
    select * from roster
) as m
left join biometric_devices as d on m.agency_code = d.agency_code
