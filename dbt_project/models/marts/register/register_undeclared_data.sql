-- Categories seen in the data but not declared in the file's register row: the register must not
-- drift from reality (e.g. a face or fingerprint method on a device, a national ID in a log).
-- Empty when the register matches the data.
select
    agency_code,
    dataset,
    file_name,
    category_code,
    evidence,
    declared_category_codes
from {{ ref('int_register_undeclared') }}
