-- issue 18: every spelling in brand_names leads to one brand, and every PRC brand on prc_brands is
-- spelled as brand_names spells it (so 海康威視 and Hikvision meet). Rows: an ambiguous key, or a prc_brands
-- row with no brand_names entry.
select
    {{ pdgov_text_key('brand_text') }} as brand_key,
    string_agg(distinct brand, ',') as brands
from {{ ref('brand_names') }}
group by 1
having count(distinct brand) > 1
union all
select
    p.brand as brand_key,
    'not in brand_names' as brands
from {{ ref('prc_brands') }} as p
where not exists (
        select 1 from {{ ref('brand_names') }} as b
        where b.brand = p.brand
    )
