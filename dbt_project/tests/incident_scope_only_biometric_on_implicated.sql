-- §44 notices go to the people whose data was exposed, and only to them: every person in
-- incident_scope has at least one exposed punch that is biometric, on a device the incident
-- implicates, inside the declared window and agency.
select
    s.incident_id,
    s.agency_code,
    s.employee_no
from {{ ref('incident_scope') }} as s
inner join {{ ref('stg_incidents') }} as i on s.incident_id = i.incident_id
where not exists (
        select 1
        from {{ ref('int_incident_affected_punches') }} as p
        inner join {{ ref('int_incident_devices') }} as d on p.incident_id = d.incident_id and p.device_id = d.device_id
        where p.incident_id = s.incident_id
            and p.agency_code = s.agency_code
            and p.employee_no = s.employee_no
            and p.method in ('fingerprint', 'face', 'finger_vein', 'palm')
            and (i.scope_from is null or p.punched_at >= i.scope_from)
            and (i.scope_to is null or p.punched_at <= i.scope_to)
            and (i.scope_agency_code is null or p.agency_code = i.scope_agency_code)
    )
