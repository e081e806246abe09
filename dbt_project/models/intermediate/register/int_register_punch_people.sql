-- Each agency's punches per person and method, as of the run's date: what both the register's
-- measures (record count, people, date range) and the observed data categories (biometric methods,
-- ID-shaped employee numbers) are computed from. Summed from int_punches_per_person_device (the one
-- pass over the city's punches), over devices and the punches up to the run's date.
{{ config(materialized='table') }}
select
    agency_code,
    employee_no,
    method,
    is_biometric,
    sum(punch_count) as punch_count,
    min(first_punch_date) as first_punch_date,
    max(last_punch_date) as last_punch_date,
    max(last_loaded_at) as last_loaded_at
from {{ ref('int_punches_per_person_device') }}
where through_as_of
group by 1, 2, 3, 4
