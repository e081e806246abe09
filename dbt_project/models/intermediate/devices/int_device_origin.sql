-- Each device's brand and parts checked against the PRC lists (seed 000 principles 貳 and 參, seed 003),
-- with the country and brand text read as people write it (issue 18): 中國製, 大陸製, Made in China, CHN,
-- P.R.C. … all reach the country map through the same key (macros/pdgov_text_keys.sql). Text the map
-- does not know stays visible as *_unrecognised: it is never read as "not the PRC".
with devices as (
    select * from {{ ref('stg_devices') }}
),

countries as (
    select distinct
        {{ pdgov_country_key('country_text') }} as country_key,
        country_code
    from {{ ref('country_names') }}
),

brand_names as (
    select distinct
        {{ pdgov_text_key('brand_text') }} as brand_key,
        brand
    from {{ ref('brand_names') }}
),

prc_brands as (
    select
        {{ pdgov_text_key('brand') }} as brand_key,
        kind
    from {{ ref('prc_brands') }}
),

keyed as (
    select
        *,
        nullif({{ pdgov_country_key('brand_country') }}, '') as brand_country_key,
        nullif({{ pdgov_country_key('origin_country') }}, '') as origin_key,
        nullif({{ pdgov_country_key('mainboard_origin') }}, '') as mainboard_key,
        nullif({{ pdgov_text_key('brand') }}, '') as brand_text_key,
        nullif({{ pdgov_text_key('chip_vendor') }}, '') as chip_text_key
    from devices
),

resolved as (
    select
        k.*,
        bc.country_code as brand_country_code,
        oc.country_code as origin_code,
        mc.country_code as mainboard_code,
        coalesce(bn.brand, k.brand) as brand_name,
        coalesce(nullif({{ pdgov_text_key('bn.brand') }}, ''), k.brand_text_key) as brand_key,
        coalesce(nullif({{ pdgov_text_key('cn.brand') }}, ''), k.chip_text_key) as chip_key
    from keyed as k
    left join countries as bc on k.brand_country_key = bc.country_key
    left join countries as oc on k.origin_key = oc.country_key
    left join countries as mc on k.mainboard_key = mc.country_key
    left join brand_names as bn on k.brand_text_key = bn.brand_key
    left join brand_names as cn on k.chip_text_key = cn.brand_key
)

select
    r.device_id,
    r.agency_code,
    r.model,
    r.brand,
    r.brand_name,
    r.has_biometrics,
    r.modalities,
    r.committee_status,
    r.intranet,
    r.in_service_since,
    r.purchased_on,
    r.brand_country_code,
    r.origin_code,
    r.mainboard_code,
    coalesce(r.brand_country_code = 'CN', false) or exists (
        select 1 from prc_brands as b
        where b.kind = 'device' and b.brand_key = r.brand_key
    ) as brand_is_prc,
    coalesce(r.origin_code = 'CN', false) as origin_is_prc,
    coalesce(r.mainboard_code = 'CN', false) as mainboard_is_prc,
    exists(
        select 1 from prc_brands as b
        where b.kind = 'chip' and b.brand_key = r.chip_key
    ) as chip_is_prc,
    r.origin_key is null as origin_unknown,
    r.origin_key is not null and r.origin_code is null as origin_unrecognised,
    r.brand_country_key is not null and r.brand_country_code is null as brand_country_unrecognised,
    r.mainboard_key is not null and r.mainboard_code is null as mainboard_unrecognised,
    r.brand_country,
    r.origin_country,
    r.mainboard_origin,
    r.chip_vendor
from resolved as r
