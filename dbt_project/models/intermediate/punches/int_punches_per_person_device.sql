-- The city's punches counted per agency, person, device and method: the one pass over the ~180 M
-- punches (closed months in Parquet, open months in raw.punches) that the register, the agencies'
-- deletion tasks and the incident scope's check all start from. Each of them scanned the punches
-- itself before: int_register_punch_people 11.9 s, int_retention_deletion_task_keys 11.8 s and the
-- singular test incident_scope_covers_everyone_the_device_holds 6.3 s of the city night (2026-12-04).
-- `through_as_of` splits a group at the run's date: the register counts only punches up to it (a
-- backfilled night must not count the punches of later days); the others read every punch held.
{{ config(materialized='table') }}
{% set as_of = pdgov_as_of() %}
select
    agency_code,
    employee_no,
    device_id,
    method,
    is_biometric,
    punch_date <= {{ as_of }} as through_as_of,
    count(*) as punch_count,
    min(punch_date) as first_punch_date,
    max(punch_date) as last_punch_date,
    max(loaded_at) as last_loaded_at
from {{ ref('stg_punches') }}
group by 1, 2, 3, 4, 5, 6  -- positions, not GROUP BY ALL: the project also runs on PostgreSQL
