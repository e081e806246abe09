-- raw.devices, every delivered row: 差勤設備清冊 (device inventory), lineage columns named as everywhere else.
{{ config(materialized='ephemeral') }}

select
    device_id,
    agency_code,
    model,
    vendor,
    brand,
    brand_country,
    origin_country,
    mainboard_origin,
    chip_vendor,
    modalities,
    intranet,
    connection,
    protocol,
    ncc_listed,
    moda_reported,
    committee_status,
    in_service_since,
    record_capacity,
    storage_location,
    purchased_on,
    retired_on,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'devices') }}
