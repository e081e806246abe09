-- seed 002 is 臺北市政府政風處個人資料保護管理要點: the register cites its 第37點 (inventory and register),
-- 第38點 (risk) and 第32點 (publication) — not the PDPA Enforcement Rules, which stop at art. 33. An
-- agency with rules of its own cites those (seed agency_privacy_rules); every other agency the default
-- row. Returns the rows whose citation is not the one their agency's rules give.
with rules as (
    select * from {{ ref('agency_privacy_rules') }}
),

expected as (
    select
        r.agency_code,
        r.dataset,
        coalesce(own.rules_name, dflt.rules_name) || coalesce(own.inventory_point, dflt.inventory_point) as inventory,
        coalesce(own.rules_name, dflt.rules_name) || coalesce(own.risk_point, dflt.risk_point) as risk,
        coalesce(own.rules_name, dflt.rules_name) || coalesce(own.publication_point, dflt.publication_point)
            as publication
    from {{ ref('personal_data_file_register') }} as r
    left join rules as own on r.agency_code = own.agency_code
    left join rules as dflt on dflt.agency_code = '*'
)

select
    r.agency_code,
    r.dataset,
    r.inventory_basis,
    r.risk_rule_basis,
    r.publication_basis
from {{ ref('personal_data_file_register') }} as r
inner join expected as e on r.agency_code = e.agency_code and r.dataset = e.dataset
where
    r.inventory_basis is distinct from e.inventory
    or r.risk_rule_basis is distinct from e.risk
    or r.publication_basis is distinct from e.publication
    or r.inventory_basis like '%施行細則%'
