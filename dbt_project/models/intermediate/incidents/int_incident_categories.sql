-- Data categories (個人資料類別, C-codes) an incident touches, taken from the steward catalogue of
-- the register: the declared dataset's categories, plus the biometric-enrolment file's when a
-- biometric device is implicated (its templates live on the device).
with datasets as (
    select
        incident_id,
        coalesce(scope_dataset, 'punches') as dataset
    from {{ ref('stg_incidents') }}
    union
    select distinct
        incident_id,
        'biometric_enrolment' as dataset
    from {{ ref('int_incident_devices') }}
    where has_biometrics
),

codes as (
    select
        d.incident_id,
        d.dataset,
        trim(unnest({{ pdgov_split('c.category_codes', '；') }})) as category
    from datasets as d
    inner join {{ ref('personal_data_file_catalog') }} as c on d.dataset = c.dataset
)

select distinct
    incident_id,
    split_part(category, ' ', 1) as category_code,
    category as category_label,
    dataset
from codes
where category <> ''
