-- Declared personal-data incidents, latest declaration per incident id.
with ranked as (
    select
        *,
        row_number() over (partition by incident_id order by loaded_at desc) as _rn
    from {{ pdgov_with_file_name(ref('stg_raw__incidents')) }}
)

select
    incident_id,
    reporter,
    reporter_contact,
    known_at,
    method,
    location,
    description,
    nullif(scope_model, '') as scope_model,
    nullif(scope_device_ids, '') as scope_device_ids,
    nullif(scope_agency_code, '') as scope_agency_code,
    nullif(scope_dataset, '') as scope_dataset,
    scope_from,
    scope_to,
    containment,
    source_file,
    file_sha256,
    loaded_at
from ranked
where _rn = 1
