-- 個人資料檔案清冊之申報內容: what each agency's register entry declares, per file — the fields of seed
-- 002 §37 ¶2 that a steward writes ((一)–(十三), (十五)–(二十); (十四) is measured and changes every
-- night, so it is not part of the entry), with the official code wording ((十)(十一)) and the rules the
-- agency cites (seed agency_privacy_rules; seed 002 is the default). entry_hash identifies the
-- entry's content: a new hash is an update of the file in the sense of §32, which makes the entry due
-- for publication again within one month (register_entry_versions).
with measures as (
    select * from {{ ref('int_register_file_measures') }}
    where record_count > 0 or (biometric_device_count > 0 and dataset = 'biometric_enrolment')
),

catalog as (
    select * from {{ ref('personal_data_file_catalog') }}
),

rules as (
    select * from {{ ref('agency_privacy_rules') }}
),

entries as (
    select
        m.agency_code,
        c.dataset,
        {{ pdgov_filled('c.business_process') }} as business_process,
        {{ pdgov_filled('c.file_name') }} as file_name,
        {{ pdgov_filled('c.responsible_unit') }} as responsible_unit,
        {{ pdgov_filled('c.custodian_unit') }} as custodian_unit,
        {{ pdgov_filled('c.storage_method') }} as storage_method,
        {{ pdgov_filled('c.file_type') }} as file_type,
        {{ pdgov_filled('c.data_source') }} as data_source,
        {{ pdgov_filled('c.legal_basis') }} as legal_basis,
        {{ pdgov_filled('c.notice_duty') }} as notice_duty,
        {{ pdgov_filled('o.purpose_codes') }} as purpose_codes,
        {{ pdgov_filled('o.category_codes') }} as category_codes,
        {{ pdgov_filled('c.data_items') }} as data_items,
        {{ pdgov_filled('c.art6_items') }} as art6_items,
        {{ pdgov_filled('c.internal_users') }} as internal_users,
        {{ pdgov_filled('c.external_users') }} as external_users,
        {{ pdgov_filled('c.outsourcing') }} as outsourcing,
        {{ pdgov_filled('c.retention_period') }} as retention_period,
        {{ pdgov_filled('c.destruction_method') }} as destruction_method,
        {{ pdgov_filled('c.art17_published') }} as art17_published,
        coalesce(own.rules_name, dflt.rules_name) as rules_name,
        coalesce(own.rules_name, dflt.rules_name) || coalesce(own.inventory_point, dflt.inventory_point)
            as inventory_basis,
        coalesce(own.rules_name, dflt.rules_name) || coalesce(own.risk_point, dflt.risk_point) as risk_rule_basis,
        coalesce(own.rules_name, dflt.rules_name) || coalesce(own.publication_point, dflt.publication_point)
            as publication_basis
    from measures as m
    inner join catalog as c on m.dataset = c.dataset
    left join {{ ref('int_register_official_codes') }} as o on c.dataset = o.dataset
    left join rules as own on m.agency_code = own.agency_code
    left join rules as dflt on dflt.agency_code = '*'
)

select
    *,
    md5(
        {{ dbt.concat(["business_process", "'|'", "file_name", "'|'", "responsible_unit", "'|'", "custodian_unit",
                       "'|'", "storage_method", "'|'", "file_type", "'|'", "data_source", "'|'", "legal_basis",
                       "'|'", "notice_duty", "'|'", "purpose_codes", "'|'", "category_codes", "'|'", "data_items",
                       "'|'", "art6_items", "'|'", "internal_users", "'|'", "external_users", "'|'", "outsourcing",
                       "'|'", "retention_period", "'|'", "destruction_method", "'|'", "art17_published"]) }}
    ) as entry_hash
from entries
