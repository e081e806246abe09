-- seed 002 §37 ¶2 (十)(十一): purposes and categories are written with the PDPA code list. Every code
-- the file catalog uses must exist in the official lists (seeds pdpa_purpose_codes, pdpa_category_codes).
with purposes as (
    select
        dataset,
        trim(split_part(trim(p.code), ' ', 1)) as code
    from {{ ref('personal_data_file_catalog') }},
        unnest({{ pdgov_split('purpose_codes', '；') }}) as p (code)
),

categories as (
    select
        dataset,
        trim(split_part(trim(c.code), ' ', 1)) as code
    from {{ ref('personal_data_file_catalog') }},
        unnest({{ pdgov_split('category_codes', '；') }}) as c (code)
)

select
    dataset,
    'purpose' as kind,
    code
from purposes
where code not in (select official.purpose_code from {{ ref('pdpa_purpose_codes') }} as official)
union all
select
    dataset,
    'category' as kind,
    code
from categories
where code not in (select official.category_code from {{ ref('pdpa_category_codes') }} as official)
