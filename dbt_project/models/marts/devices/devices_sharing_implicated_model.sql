-- When one model is implicated in an incident, every device of that model across agencies is listed
-- for preventive suspension (seed 003: the whole FACE8 model was stopped). A model is implicated when
-- the incident names it (設備型號) or names a device of it (設備編號).
with incidents as (
    select * from {{ ref('stg_incidents') }}
),

named_devices as (
    select
        i.incident_id,
        trim(t.device_id) as device_id
    from incidents as i, unnest({{ pdgov_split('i.scope_device_ids', ';') }}) as t (device_id)
    where i.scope_device_ids is not null
),

implicated as (
    select
        incident_id,
        lower(trim(scope_model)) as model_key,
        'named model' as implicated_by
    from incidents
    where scope_model is not null
    union
    select
        n.incident_id,
        lower(trim(d.model)) as model_key,
        'model of named device ' || n.device_id as implicated_by
    from named_devices as n inner join {{ ref('stg_devices') }} as d on n.device_id = d.device_id
    where d.model is not null
),

per_model as (
    select
        incident_id,
        model_key,
        string_agg(implicated_by, '；' order by implicated_by) as implicated_by
    from implicated
    group by 1, 2
)

select
    m.incident_id,
    d.model,
    d.device_id,
    d.agency_code,
    c.status as compliance_status,
    m.implicated_by,
    exists(
        select 1 from named_devices as n
        where n.incident_id = m.incident_id and n.device_id = d.device_id)
        as named_in_incident
from per_model as m
inner join {{ ref('stg_devices') }} as d on lower(trim(d.model)) = m.model_key
left join {{ ref('device_compliance') }} as c on d.device_id = c.device_id
