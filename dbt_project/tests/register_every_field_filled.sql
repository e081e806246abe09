-- Every register row has every §37 field filled (a missing fact must be written as 無 or 未知, not left empty).
select
    agency_code,
    dataset
from {{ ref('personal_data_file_register') }}
where coalesce(business_process, '') = '' or coalesce(file_name, '') = '' or coalesce(responsible_unit, '') = ''
    or coalesce(custodian_unit, '') = '' or coalesce(storage_method, '') = '' or coalesce(file_type, '') = ''
    or coalesce(data_source, '') = '' or coalesce(legal_basis, '') = '' or coalesce(notice_duty, '') = ''
    or coalesce(purpose_codes, '') = '' or coalesce(category_codes, '') = '' or coalesce(data_items, '') = ''
    or coalesce(art6_items, '') = '' or record_count is null or coalesce(internal_users, '') = ''
    or coalesce(external_users, '') = '' or coalesce(outsourcing, '') = '' or coalesce(retention_period, '') = ''
    or coalesce(destruction_method, '') = '' or coalesce(art17_published, '') = ''
