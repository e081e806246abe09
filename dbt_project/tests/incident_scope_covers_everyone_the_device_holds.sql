-- Seed 002 §44 (PDPA art. 12): the notices go to everyone whose data the implicated device holds —
-- every method punched on it, whatever the declared window — and to nobody else. Rows returned:
-- a person who punched on an implicated device (in the declared agency) but is missing from the
-- scope, or a person in the scope with no punch on an implicated device or in the declared dataset.
-- Who punched on a device comes from the per-person, per-device punch counts (one pass over the
-- punches per night), a path of its own beside int_incident_affected_punches, which the scope reads.
with held as (
    select distinct
        d.incident_id,
        p.agency_code,
        p.employee_no
    from {{ ref('int_incident_devices') }} as d
    inner join {{ ref('stg_incidents') }} as i on d.incident_id = i.incident_id
    inner join {{ ref('int_punches_per_person_device') }} as p on d.device_id = p.device_id
    where i.scope_agency_code is null or p.agency_code = i.scope_agency_code
),

scope as (
    select
        incident_id,
        agency_code,
        employee_no
    from {{ ref('incident_scope') }}
)

select
    'missing from scope' as problem,
    h.incident_id,
    h.agency_code,
    h.employee_no
from held as h
where not exists (
        select 1 from scope as s
        where s.incident_id = h.incident_id and s.agency_code = h.agency_code and s.employee_no = h.employee_no
    )
union all
select
    'in scope without exposed data' as problem,
    s.incident_id,
    s.agency_code,
    s.employee_no
from scope as s
where not exists (
        select 1 from {{ ref('int_incident_affected_punches') }} as p
        where p.incident_id = s.incident_id and p.agency_code = s.agency_code and p.employee_no = s.employee_no
    )
