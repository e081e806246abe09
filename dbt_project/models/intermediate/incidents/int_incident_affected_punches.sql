-- Punches an incident exposes (seed 002 §44-45: everyone whose data the implicated device or dataset
-- holds). A device keeps the punches made on it by every method and the templates of everyone
-- enrolled, whatever the declared window: so on an implicated device every punch counts, and the
-- window only marks which were made in it (in_window). A declaration that names no device but the
-- punches dataset (with an agency, a window or both) exposes that dataset's punches in its limits.
-- Counted per incident, person, device, method and window, not one row per punch: the scope (per
-- person) and the suspension list (per device) read nothing finer, and at the city an implicated
-- model holds millions of punches that were materialised, each with an md5 key, every night (41.8 s
-- of the city night, 2026-12-03). A table, not a view: the scope, the suspension list and the tests
-- all read it, so the city's punches are scanned once per build instead of once per reader. The
-- dataset branch is int_incident_dataset_punches (why a model of its own: there).
{{ config(materialized='table') }}
with on_devices as (
    select
        i.incident_id,
        i.scope_from,
        i.scope_to,
        'device' as exposed_by,
        p.*
    from {{ ref('stg_incidents') }} as i
    inner join {{ ref('int_incident_devices') }} as d on i.incident_id = d.incident_id
    inner join {{ ref('stg_punches') }} as p on d.device_id = p.device_id
    where i.scope_agency_code is null or i.scope_agency_code = p.agency_code
),

flagged as (
    select
        incident_id,
        agency_code,
        employee_no,
        device_id,
        method,
        is_biometric,
        (scope_from is null or punched_at >= scope_from) and (scope_to is null or punched_at <= scope_to) as in_window,
        exposed_by,
        punched_at
    from on_devices
)

select
    incident_id,
    agency_code,
    employee_no,
    device_id,
    method,
    is_biometric,
    in_window,
    exposed_by,
    count(*) as records,
    min(punched_at) as first_punched_at,
    max(punched_at) as last_punched_at
from flagged
group by 1, 2, 3, 4, 5, 6, 7, 8  -- positions, not GROUP BY ALL: the project also runs on PostgreSQL
union all
select
    incident_id,
    agency_code,
    employee_no,
    device_id,
    method,
    is_biometric,
    in_window,
    exposed_by,
    records,
    first_punched_at,
    last_punched_at
from {{ ref('int_incident_dataset_punches') }}
