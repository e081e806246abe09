-- Punches an incident exposes: biometric punches on an implicated device, inside the declared time
-- window and agency when the declaration narrows them (seed 002 §45: estimate the records involved).
-- A table, not a view: it is small, and the scope, the suspension list and the tests all read it, so
-- the city's punches are scanned once per build instead of once per reader.
{{ config(materialized='table') }}
select
    i.incident_id,
    {{ pdgov_punch_key('p.agency_code', 'p.employee_no', 'p.punched_at', "coalesce(p.device_id, '')", 'p.method') }}
        as punch_key,
    p.agency_code,
    p.employee_no,
    p.punched_at,
    p.device_id,
    p.method
from {{ ref('stg_incidents') }} as i
inner join {{ ref('int_incident_devices') }} as d on i.incident_id = d.incident_id
inner join {{ ref('stg_punches') }} as p on d.device_id = p.device_id
where p.is_biometric
    and (i.scope_from is null or p.punched_at >= i.scope_from)
    and (i.scope_to is null or p.punched_at <= i.scope_to)
    and (i.scope_agency_code is null or p.agency_code = i.scope_agency_code)
