-- Devices to suspend preventively (預防性停用清單): for a device-model incident every device of that
-- model in every agency (seed 003, the FACE8 model stopped city-wide), plus devices named one by one.
with affected as (
    select
        incident_id,
        device_id,
        count(distinct agency_code || '|' || employee_no) as people,
        cast(sum(records) as bigint) as records
    from {{ ref('int_incident_affected_punches') }}
    group by incident_id, device_id
)

select
    d.incident_id,
    d.device_id,
    d.agency_code,
    d.model,
    d.brand,
    d.vendor,
    d.modalities,
    d.implicated_by,
    d.storage_location,
    d.record_capacity,
    coalesce(s.people, 0) as people_affected,
    coalesce(s.records, 0) as records_affected,
    i.containment
from {{ ref('int_incident_devices') }} as d
inner join {{ ref('stg_incidents') }} as i on d.incident_id = i.incident_id
left join affected as s on d.incident_id = s.incident_id and d.device_id = s.device_id
