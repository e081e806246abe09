{#- Device record capacity (設備紀錄容量): the data management plan (seed 000) declares that a
    biometric attendance device keeps the latest N punches (20,000). A device through which
    more punches were recorded than it declares holds (or has silently overwritten) more than
    the plan says: the committee must see it. -#}
with

devices as (

    select
        device_id,
        max(agency_code) as agency_code,
        max(model) as model,
        max(brand) as brand,
        max(record_capacity) as record_capacity
    from {{ ref('stg_raw__devices') }}
    group by 1

),

punches as (

    select
        device_id,
        count(*) as punches_recorded,
        min(punched_at) as first_punched_at,
        max(punched_at) as last_punched_at
    from {{ ref('stg_raw__punches') }}
    where device_id is not null
    group by 1

)

select
    devices.device_id,
    devices.agency_code,
    devices.model,
    devices.brand,
    devices.record_capacity,
    coalesce(punches.punches_recorded, 0) as punches_recorded,
    punches.first_punched_at,
    punches.last_punched_at,
    coalesce(punches.punches_recorded, 0) > devices.record_capacity as over_capacity,
    case
        when coalesce(punches.punches_recorded, 0) > devices.record_capacity
            then coalesce(punches.punches_recorded, 0) - devices.record_capacity
        else 0
    end as records_over_capacity,
    {{ pdgov_as_of() }} as as_of_date
from devices
left join punches on devices.device_id = punches.device_id
