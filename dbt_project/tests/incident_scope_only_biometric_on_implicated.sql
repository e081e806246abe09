-- §44 notices go to the people whose data was exposed, and only to them: every person in
-- incident_scope punched biometrically on an implicated device inside the declared window.
select s.incident_id, s.agency_code, s.employee_no
from {{ ref('incident_scope') }} s
left join {{ ref('int_incident_affected_punches') }} p
    on p.incident_id = s.incident_id and p.agency_code = s.agency_code and p.employee_no = s.employee_no
join {{ ref('stg_incidents') }} i on i.incident_id = s.incident_id
left join {{ ref('stg_punches') }} sp on sp.punch_key = p.punch_key
group by all
having count(sp.punch_key) filter (where sp.is_biometric
    and (i.scope_from is null or sp.punched_at >= i.scope_from)
    and (i.scope_to is null or sp.punched_at <= i.scope_to)) = 0
