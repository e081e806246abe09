-- issue 18: every spelling in country_names leads to one country. Rows: a normalised key (after full-width
-- forms, case, punctuation and a 製/made-in affix are removed) that two entries map to different codes.
select
    {{ pdgov_country_key('country_text') }} as country_key,
    string_agg(distinct country_code, ',') as codes
from {{ ref('country_names') }}
group by 1
having count(distinct country_code) > 1 or {{ pdgov_country_key('country_text') }} = ''
