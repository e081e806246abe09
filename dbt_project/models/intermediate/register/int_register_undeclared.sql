-- Observed categories that the file's catalog entry does not declare (the register drifted from
-- reality). Compared on the category code (C011 …) against field (十一) of the catalog.
select
    o.agency_code,
    o.dataset,
    c.file_name,
    o.category_code,
    o.evidence,
    c.category_codes as declared_category_codes
from {{ ref('int_register_observed_categories') }} as o
left join {{ ref('personal_data_file_catalog') }} as c on o.dataset = c.dataset
where c.category_codes is null or position(o.category_code in c.category_codes) = 0
