-- Punches a declaration exposes when it names no device but the punches dataset (seed 002 §44-45),
-- within its agency, its window or both; counted per incident, person, device, method and window
-- like int_incident_affected_punches, which adds the punches held by implicated devices.
-- A model of its own, not a CTE beside the device branch: DuckDB 2.0 materialises a view read twice
-- in one query (its common-subplan optimisation), and `stg_punches` read by both branches was copied
-- whole — all 182 M city punches, 42 s of the city night — before either join ran.
{{ config(materialized='table') }}
with dataset_incidents as (
    select
        incident_id,
        scope_agency_code,
        scope_from,
        scope_to
    from {{ ref('stg_incidents') }}
    where scope_model is null
        and scope_device_ids is null
        and scope_dataset = 'punches'
        and (scope_agency_code is not null or scope_from is not null or scope_to is not null)
),

exposed as (
    select
        i.incident_id,
        p.agency_code,
        p.employee_no,
        p.device_id,
        p.method,
        p.is_biometric,
        p.punched_at
    from dataset_incidents as i
    inner join {{ ref('stg_punches') }} as p
        on
            p.punched_at >= coalesce(i.scope_from, cast('1900-01-01' as timestamp))
            and p.punched_at <= coalesce(i.scope_to, cast('9999-12-31' as timestamp))
    where i.scope_agency_code is null or i.scope_agency_code = p.agency_code
)

select
    incident_id,
    agency_code,
    employee_no,
    device_id,
    method,
    is_biometric,
    true as in_window,
    'dataset' as exposed_by,
    count(*) as records,
    min(punched_at) as first_punched_at,
    max(punched_at) as last_punched_at
from exposed
group by 1, 2, 3, 4, 5, 6
