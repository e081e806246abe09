-- The devices an incident implicates: every device of the declared model (in any agency, seed 003:
-- a model is suspended city-wide) plus any device named one by one in the declaration.
with declared_ids as (
    select
        i.incident_id,
        trim(unnest({{ pdgov_split('i.scope_device_ids', ';') }})) as device_id
    from {{ ref('stg_incidents') }} as i
    where i.scope_device_ids is not null
),

by_model as (
    select
        i.incident_id,
        d.device_id,
        'model' as implicated_by
    from {{ ref('stg_incidents') }} as i
    inner join {{ ref('stg_devices') }} as d on lower(trim(d.model)) = lower(trim(i.scope_model))
    where i.scope_model is not null
),

by_id as (
    select
        x.incident_id,
        d.device_id,
        'device_id' as implicated_by
    from declared_ids as x
    inner join {{ ref('stg_devices') }} as d on x.device_id = d.device_id
    where x.device_id <> ''
),

unioned as (
    select * from by_model
    union all
    select * from by_id
)

select
    u.incident_id,
    u.device_id,
    string_agg(distinct u.implicated_by, ';' order by u.implicated_by) as implicated_by,
    d.agency_code,
    d.model,
    d.brand,
    d.vendor,
    d.modalities,
    d.has_biometrics,
    d.record_capacity,
    d.storage_location
from unioned as u
inner join {{ ref('stg_devices') }} as d on u.device_id = d.device_id
group by
    u.incident_id, u.device_id, d.agency_code, d.model, d.brand, d.vendor, d.modalities,
    d.has_biometrics, d.record_capacity, d.storage_location
