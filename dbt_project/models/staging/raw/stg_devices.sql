-- The latest delivered inventory row per device.
with ranked as (
    select
        *,
        row_number() over (partition by device_id order by loaded_at desc, source_file desc) as _rn
    from {{ pdgov_with_file_name(ref('stg_raw__devices')) }}
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
    purchased_on,
    retired_on,
    source_file,
    file_sha256,
    loaded_at
from ranked
where _rn = 1
