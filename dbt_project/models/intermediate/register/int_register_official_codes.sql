-- Seed 002 §37 ¶2 (十)(十一): specific purposes and data categories are written "依個人資料保護法之特定目的
-- 及個人資料之類別" — with the official code list's own wording. The catalog names codes (its words
-- beside them are a steward's shorthand, e.g. 〇三一 社會保險); the register prints each code with the
-- official name from the reference seeds, in the catalog's order. A code missing from the lists prints as
-- written and is caught by the seed test register_codes_are_official.
{% set lists = [
    ('purpose_codes', 'pdpa_purpose_codes', 'purpose_code', 'purpose_name'),
    ('category_codes', 'pdpa_category_codes', 'category_code', 'category_name'),
] %}
with
{% for column, seed, code, name in lists %}
    {{ column }}_split as (
        select
            c.dataset,
            trim(split_part(trim(p.code), ' ', 1)) as code,
            trim(p.code) as as_written,
            strpos(c.{{ column }}, trim(p.code)) as position_in_catalog
        from {{ ref('personal_data_file_catalog') }} as c,
            unnest({{ pdgov_split('c.' ~ column, '；') }}) as p (code)
        where trim(p.code) <> ''
    ),

    {{ column }}_words as (
        select
            s.dataset,
            string_agg(coalesce(o.{{ code }} || ' ' || o.{{ name }}, s.as_written), '；' order by s.position_in_catalog)
                as {{ column }}
        from {{ column }}_split as s
        left join {{ ref(seed) }} as o on s.code = o.{{ code }}
        group by 1
    ),
{% endfor %}

catalog as (
    select dataset from {{ ref('personal_data_file_catalog') }}
)

select
    c.dataset,
    pw.purpose_codes,
    cw.category_codes
from catalog as c
left join purpose_codes_words as pw on c.dataset = pw.dataset
left join category_codes_words as cw on c.dataset = cw.dataset
