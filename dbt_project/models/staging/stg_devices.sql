-- The latest delivered inventory row per device.
with ranked as (
    select *, row_number() over (partition by device_id order by _loaded_at desc, _source_file desc) as _rn
    from {{ pdgov_raw_with_file_name(source('raw', 'devices')) }}
)
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
    {{ pdgov_regex_match("coalesce(modalities, '')", 'fingerprint|face|finger_vein|palm') }} as has_biometrics,
    intranet,
    connection,
    protocol,
    ncc_listed,
    moda_reported,
    committee_status,
    in_service_since,
    record_capacity,
    storage_location,
    _source_file as source_file,
    _file_sha256 as file_sha256,
    _loaded_at as loaded_at
from ranked
where _rn = 1
