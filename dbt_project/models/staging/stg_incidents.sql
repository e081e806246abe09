-- Declared personal-data incidents, latest declaration per incident id.
with ranked as (
    select *, row_number() over (partition by incident_id order by _loaded_at desc) as _rn
    from {{ pdgov_raw_with_file_name(source('raw', 'incidents')) }}
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
    _source_file as source_file,
    _file_sha256 as file_sha256,
    _loaded_at as loaded_at
from ranked
where _rn = 1
