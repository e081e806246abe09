-- When one model is implicated in an incident, every device of that model across agencies is listed
-- for preventive suspension (seed 003: the whole FACE8 model was stopped).
select distinct
    i.incident_id,
    d.model,
    d.device_id,
    d.agency_code,
    c.status as compliance_status
from {{ ref('stg_incidents') }} i
join {{ ref('stg_devices') }} d on lower(d.model) = lower(i.scope_model)
left join {{ ref('device_compliance') }} c on c.device_id = d.device_id
where i.scope_model is not null
