-- Categories seen in the data but not declared in the file's register row: the register must not
-- drift from reality (e.g. a face or fingerprint method on a device, a national ID in a log).
select
    o.agency_code,
    o.dataset,
    r.file_name,
    o.category_code,
    o.evidence,
    r.category_codes as declared_category_codes
from {{ ref('int_register_observed_categories') }} o
left join {{ ref('personal_data_file_register') }} r
    on r.agency_code = o.agency_code and r.dataset = o.dataset
where r.category_codes is null or position(o.category_code in r.category_codes) = 0
