-- Seed 003: when a model is implicated, every device of that model in every agency is suspended.
select i.incident_id, d.device_id
from {{ ref('stg_incidents') }} i
join {{ ref('stg_devices') }} d on lower(trim(d.model)) = lower(trim(i.scope_model))
left join {{ ref('incident_suspension_list') }} s on s.incident_id = i.incident_id and s.device_id = d.device_id
where i.scope_model is not null and s.device_id is null
