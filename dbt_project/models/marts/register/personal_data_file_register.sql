-- 個人資料檔案清冊: one row per agency per personal-data file, the twenty fields of seed 002 §37 ¶2
-- in order, counts and dates measured from data, a §38 risk rating with its inputs, and the §32
-- duty to publish within one month of creating or changing a file.
with measures as (
    select * from {{ ref('int_register_file_measures') }}
),
catalog as (
    select * from {{ ref('personal_data_file_catalog') }}
),
joined as (
    select
        m.agency_code,
        c.dataset,
        c.business_process,                                   -- (一)
        c.file_name,                                          -- (二)
        c.responsible_unit,                                   -- (三)
        c.custodian_unit,                                     -- (四)
        c.storage_method,                                     -- (五)
        c.file_type,                                          -- (六)
        c.data_source,                                        -- (七)
        c.legal_basis,                                        -- (八)
        c.notice_duty,                                        -- (九)
        c.purpose_codes,                                      -- (十)
        c.category_codes,                                     -- (十一)
        c.data_items,                                         -- (十二)
        c.art6_items,                                         -- (十三)
        m.record_count,                                       -- (十四)
        c.internal_users,                                     -- (十五)
        c.external_users,                                     -- (十六)
        c.outsourcing,                                        -- (十七)
        c.retention_period,                                   -- (十八)
        c.destruction_method,                                 -- (十九)
        c.art17_published,                                    -- (二十)
        m.people_count,
        m.first_record_date,
        m.last_record_date,
        c.identifiability,
        c.sensitivity,
        case when m.record_count >= 100000 then 'high' when m.record_count >= 1000 then 'medium' else 'low' end
            as volume_level,
        c.declared_on
    from measures m
    join catalog c on c.dataset = m.dataset
    where m.record_count > 0
),
scored as (
    select *,
        (case identifiability when 'high' then 3 when 'medium' then 2 else 1 end)
        + (case volume_level when 'high' then 3 when 'medium' then 2 else 1 end)
        + (case sensitivity when 'high' then 3 when 'medium' then 2 else 1 end) as risk_score
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
    identifiability,
    volume_level,
    sensitivity,
    risk_score,
    case when risk_score >= 8 then 'high' when risk_score >= 6 then 'medium' else 'low' end as risk_level,
    declared_on,
    cast({{ dbt.dateadd('month', 1, 'declared_on') }} as date) as publication_due_date,
    case
        when art17_published = '是' then 'published'
        when cast({{ dbt.dateadd('month', 1, 'declared_on') }} as date) < cast('{{ var("as_of_date") }}' as date)
            then 'overdue'
        else 'due'
    end as publication_status
from scored
