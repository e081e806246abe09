-- Data categories seen in the data, per agency and file, so the register cannot drift from reality:
-- a biometric punch or a device that recognises a biometric means biometric data (C011 個人描述) is
-- processed in the biometric_enrolment file; a WebIR subject or a roster entry means national IDs
-- (C003 政府資料中之辨識者) are; an employee number shaped like a national ID (letter + 1/2 + 8 digits)
-- in a punch export means national IDs sit in the punch file too.
-- A small table, not a view: the register and the undeclared-data mart both read it. The punches
-- come as one row per agency, person and method (int_register_punch_people, as of the run's date),
-- so the regular expression runs on ~150,000 employee numbers instead of ~180 M punches.
{{ config(materialized='table') }}
{% set as_of = pdgov_as_of() %}
with punch_evidence as (
    select
        agency_code,
        method,
        is_biometric,
        bool_or({{ pdgov_regex_match('employee_no', '^[A-Z][12][0-9]{8}$') }}) as has_id_shaped_no
    from {{ ref('int_register_punch_people') }}
    group by 1, 2, 3
)

select distinct
    agency_code,
    'biometric_enrolment' as dataset,
    'C011' as category_code,
    'biometric recognition used for punches (' || method || ')' as evidence
from punch_evidence
where is_biometric
union all
select distinct
    agency_code,
    'biometric_enrolment' as dataset,
    'C011' as category_code,
    'device ' || device_id || ' recognises ' || modalities as evidence
from {{ ref('stg_devices') }}
where has_biometrics
union all
select distinct
    agency_code,
    'punches' as dataset,
    'C003' as category_code,
    'employee numbers shaped like national IDs in punch exports' as evidence
from punch_evidence
where has_id_shaped_no
union all
select distinct
    agency_code,
    'webir' as dataset,
    'C003' as category_code,
    'national IDs of queried persons in the WebIR log' as evidence
from {{ ref('int_webir_queries') }}
where query_date <= {{ as_of }} and agency_code is not null  -- no roster account, no agency in the log
union all
select distinct
    agency_code,
    'roster' as dataset,
    'C003' as category_code,
    'national IDs (as HMAC) in the staff roster' as evidence
from {{ ref('stg_roster') }}
