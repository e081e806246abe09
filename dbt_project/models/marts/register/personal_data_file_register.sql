-- 個人資料檔案清冊: one row per agency per personal-data file, the twenty fields of seed 002 §37 ¶2
-- in order, counts and dates measured from data as of the run's date, a §38 risk rating with every
-- input shown, and the §32 duty to publish within one month of creating or changing a file.
--
-- §38 rating (documented in docs/models.md): six inputs scored high=3, medium=2, low=1 —
-- (一) identifiability and (三) sensitivity from the catalog (biometrics high); (二) volume measured
-- (high ≥ 100,000 records, medium ≥ 1,000); (四) environment from the catalog, raised to high where the
-- agency runs a prohibited or flagged device (PRC brand, PRC parts, unknown origin) for a punch or
-- biometric file; (五) access and location from the catalog, raised to high where the agency's WebIR
-- log shows colleague/self look-ups, after-hours use or inactive accounts; (六) legality: high when
-- the data shows an undeclared category or no legal basis is written, medium when the basis rests on
-- consent (同意), else low. risk_score = sum (6–18); high ≥ 13, medium ≥ 10, else low.
{% set as_of = pdgov_as_of() %}
with measures as (
    select * from {{ ref('int_register_file_measures') }}
),

catalog as (
    select * from {{ ref('personal_data_file_catalog') }}
),

risky_devices as (
    select
        agency_code,
        count(*) as n
    from {{ ref('int_device_origin') }}
    where brand_is_prc or origin_is_prc or mainboard_is_prc or chip_is_prc or (origin_unknown and has_biometrics)
    group by 1
),

access_flags as (
    select
        agency_code,
        count(*) filter (
            where flag_colleague_lookup or flag_self_lookup or flag_after_hours or flag_inactive_account
        ) as n
    from {{ ref('int_webir_query_flags') }}
    group by 1
),

undeclared as (
    select
        agency_code,
        dataset,
        string_agg(distinct category_code, '、' order by category_code) as codes
    from {{ ref('int_register_undeclared') }}
    group by 1, 2
),

joined as (
    select
        m.agency_code,
        c.dataset,
        {{ pdgov_filled('c.business_process') }} as business_process,  -- (一)
        {{ pdgov_filled('c.file_name') }} as file_name,  -- (二)
        {{ pdgov_filled('c.responsible_unit') }} as responsible_unit,  -- (三)
        {{ pdgov_filled('c.custodian_unit') }} as custodian_unit,  -- (四)
        {{ pdgov_filled('c.storage_method') }} as storage_method,  -- (五)
        {{ pdgov_filled('c.file_type') }} as file_type,  -- (六)
        {{ pdgov_filled('c.data_source') }} as data_source,  -- (七)
        {{ pdgov_filled('c.legal_basis') }} as legal_basis,  -- (八)
        {{ pdgov_filled('c.notice_duty') }} as notice_duty,  -- (九)
        {{ pdgov_filled('c.purpose_codes') }} as purpose_codes,  -- (十)
        {{ pdgov_filled('c.category_codes') }} as category_codes,  -- (十一)
        {{ pdgov_filled('c.data_items') }} as data_items,  -- (十二)
        {{ pdgov_filled('c.art6_items') }} as art6_items,  -- (十三)
        m.record_count,  -- (十四)
        {{ pdgov_filled('c.internal_users') }} as internal_users,  -- (十五)
        {{ pdgov_filled('c.external_users') }} as external_users,  -- (十六)
        {{ pdgov_filled('c.outsourcing') }} as outsourcing,  -- (十七)
        {{ pdgov_filled('c.retention_period') }} as retention_period,  -- (十八)
        {{ pdgov_filled('c.destruction_method') }} as destruction_method,  -- (十九)
        {{ pdgov_filled('c.art17_published') }} as art17_published,  -- (二十)
        m.people_count,
        m.first_record_date,
        m.last_record_date,
        m.biometric_device_count,
        c.identifiability,
        case when m.record_count >= 100000 then 'high' when m.record_count >= 1000 then 'medium' else 'low' end
            as volume_level,
        c.sensitivity,
        case when c.dataset in ('punches', 'biometric_enrolment') and coalesce(rd.n, 0) > 0 then 'high'
            else c.environment
        end as environment_level,
        case when c.dataset = 'webir' and coalesce(af.n, 0) > 0 then 'high'
            else c.access_location
        end as access_level,
        case when u.codes is not null or coalesce(c.legal_basis, '') = '' then 'high'
            when c.legal_basis like '%同意%' then 'medium'
            else 'low'
        end as legality_level,
        case when c.dataset in ('punches', 'biometric_enrolment') then coalesce(rd.n, 0) else 0 end
            as risky_device_count,
        case when c.dataset = 'webir' then coalesce(af.n, 0) else 0 end as access_flag_count,
        u.codes as undeclared_category_codes,
        c.declared_on
    from measures as m
    inner join catalog as c on m.dataset = c.dataset
    left join risky_devices as rd on m.agency_code = rd.agency_code
    left join access_flags as af on m.agency_code = af.agency_code
    left join undeclared as u on m.agency_code = u.agency_code and m.dataset = u.dataset
    where m.record_count > 0 or (m.biometric_device_count > 0 and m.dataset = 'biometric_enrolment')
),

scored as (
    select
        *,
        {{ pdgov_level_score('identifiability') }} + {{ pdgov_level_score('volume_level') }}
        + {{ pdgov_level_score('sensitivity') }} + {{ pdgov_level_score('environment_level') }}
        + {{ pdgov_level_score('access_level') }} + {{ pdgov_level_score('legality_level') }} as risk_score
    from joined
)

select
    agency_code,
    dataset,
    business_process,
    file_name,
    responsible_unit,
    custodian_unit,
    storage_method,
    file_type,
    data_source,
    legal_basis,
    notice_duty,
    purpose_codes,
    category_codes,
    data_items,
    art6_items,
    record_count,
    internal_users,
    external_users,
    outsourcing,
    retention_period,
    destruction_method,
    art17_published,
    people_count,
    first_record_date,
    last_record_date,
    biometric_device_count,
    identifiability,
    volume_level,
    sensitivity,
    environment_level,
    access_level,
    legality_level,
    risky_device_count,
    access_flag_count,
    risk_score,
    case when risk_score >= 13 then 'high' when risk_score >= 10 then 'medium' else 'low' end as risk_level,
    {{ dbt.concat([
        "'可識別' || identifiability",
        "'；數量' || volume_level || '(' || cast(record_count as varchar) || '筆)'",
        "'；敏感性' || sensitivity",
        "'；環境' || environment_level || case when risky_device_count > 0 then '(' || cast(risky_device_count as varchar) || '台設備禁用或待釐清)' else '' end",
        "'；存取' || access_level || case when access_flag_count > 0 then '(' || cast(access_flag_count as varchar) || '筆異常查詢)' else '' end",
        "'；適法性' || legality_level || coalesce('(未申報類別 ' || undeclared_category_codes || ')', '')",
    ]) }} as risk_basis,
    undeclared_category_codes,
    declared_on,
    cast({{ dbt.dateadd('month', 1, 'declared_on') }} as date) as publication_due_date,
    case
        when art17_published = '是' then 'published'
        when cast({{ dbt.dateadd('month', 1, 'declared_on') }} as date) < {{ as_of }} then 'overdue'
        else 'due'
    end as publication_status
from scored
