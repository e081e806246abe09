{{ config(severity='warn') }}
-- seed 002 §37: a register field the steward has not answered is shown as 未填報. Warn (the register
-- is still published with the gap visible) so the committee sees which files need a steward's answer.
select
    agency_code,
    dataset,
    file_name
from {{ ref('personal_data_file_register') }}
where '未填報' in (
        business_process, file_name, responsible_unit, custodian_unit, storage_method, file_type,
        data_source, legal_basis, notice_duty, purpose_codes, category_codes, data_items, art6_items,
        internal_users, external_users, outsourcing, retention_period, destruction_method,
        art17_published
    )
