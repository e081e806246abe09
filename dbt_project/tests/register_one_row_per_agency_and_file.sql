-- seed 002 §37: the register has one row per agency per personal-data file.
select
    agency_code,
    dataset,
    count(*) as n
from {{ ref('personal_data_file_register') }}
group by 1, 2
having count(*) > 1
