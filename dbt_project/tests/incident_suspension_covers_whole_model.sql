-- Seed 003: when a model is implicated, every device of that model in every agency is suspended.
select
    i.incident_id,
    d.device_id
from {{ ref('stg_incidents') }} as i
inner join {{ ref('stg_devices') }} as d on lower(trim(d.model)) = lower(trim(i.scope_model))
left join {{ ref('incident_suspension_list') }} as s on i.incident_id = s.incident_id and d.device_id = s.device_id
where i.scope_model is not null and s.device_id is null
