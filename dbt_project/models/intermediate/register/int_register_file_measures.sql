-- What each agency actually holds, per personal-data file, measured from the data (seed 002 §37 ¶2 (十四)).
with punches as (
    select agency_code, 'punches' as dataset, count(*) as record_count,
           count(distinct employee_no) as people_count,
           min(punch_date) as first_record_date, max(punch_date) as last_record_date,
           max(loaded_at) as last_loaded_at
    from {{ ref('stg_punches') }}
    group by 1
),
biometric as (
    select agency_code, 'biometric_enrolment' as dataset, count(distinct employee_no) as record_count,
           count(distinct employee_no) as people_count,
           min(punch_date) as first_record_date, max(punch_date) as last_record_date,
           max(loaded_at) as last_loaded_at
    from {{ ref('stg_punches') }}
    where is_biometric
    group by 1
),
webir as (
    select agency_code, 'webir' as dataset, count(*) as record_count,
           count(distinct subject_hmac) as people_count,
           min(query_date) as first_record_date, max(query_date) as last_record_date,
           max(loaded_at) as last_loaded_at
    from {{ ref('stg_webir_queries') }}
    group by 1
),
accounts as (
    select agency_code, 'webir_accounts' as dataset, count(*) as record_count,
           count(distinct employee_no) as people_count,
           min(created_at) as first_record_date, max(cast(last_used_at as date)) as last_record_date,
           cast(null as timestamp) as last_loaded_at
    from {{ ref('stg_webir_accounts') }}
    group by 1
),
roster as (
    select agency_code, 'roster' as dataset, count(*) as record_count,
           count(distinct employee_no) as people_count,
           cast(null as date) as first_record_date, cast(null as date) as last_record_date,
           cast(null as timestamp) as last_loaded_at
    from {{ ref('stg_roster') }}
    group by 1
)
select * from punches
union all select * from biometric
union all select * from webir
union all select * from accounts
union all select * from roster
