-- Each device's brand and parts checked against the PRC lists (seed 000 principles 貳 and 參, seed 003).
with devices as (
    select * from {{ ref('stg_devices') }}
),

countries as (
    select
        lower(trim(country_name)) as country_name,
        iso_code,
        is_prc
    from {{ ref('country_names') }}
),

brands as (
    select
        lower(trim(brand)) as brand,
        kind
    from {{ ref('prc_brands') }}
)

select
    d.device_id,
    d.agency_code,
    d.model,
    d.brand,
    d.has_biometrics,
    d.committee_status,
    d.intranet,
    coalesce(bc.is_prc, false) or exists (
        select 1 from brands as b
        where b.kind = 'device' and b.brand = lower(trim(d.brand))
    ) as brand_is_prc,
    coalesce(oc.is_prc, false) as origin_is_prc,
    coalesce(mc.is_prc, false) as mainboard_is_prc,
    exists(
        select 1 from brands as b
        where b.kind = 'chip' and b.brand = lower(trim(d.chip_vendor))
    ) as chip_is_prc,
    nullif(trim(d.origin_country), '') is null as origin_unknown,
    d.brand_country,
    d.origin_country,
    d.mainboard_origin,
    d.chip_vendor
from devices as d
left join countries as bc on bc.country_name = lower(trim(d.brand_country))
left join countries as oc on oc.country_name = lower(trim(d.origin_country))
left join countries as mc on mc.country_name = lower(trim(d.mainboard_origin))
