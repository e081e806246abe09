-- raw.incidents, every delivered row: 個資事件通報 (incident declarations), lineage columns named as everywhere else.
{{ config(materialized='ephemeral') }}

select
    incident_id,
    reporter,
    reporter_contact,
    known_at,
    method,
    location,
    description,
    scope_model,
    scope_device_ids,
    scope_agency_code,
    scope_dataset,
    scope_from,
    scope_to,
    containment,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'incidents') }}
