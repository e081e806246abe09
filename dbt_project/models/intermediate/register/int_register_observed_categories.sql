-- Data categories seen in the data, per agency and file, so the register cannot drift from reality:
-- a biometric punch means biometric data (C011 個人描述) is processed; a WebIR subject or a roster
-- entry means national IDs (C003 政府資料中之辨識者) are.
select distinct agency_code, 'biometric_enrolment' as dataset, 'C011' as category_code,
       'biometric recognition used for punches (' || method || ')' as evidence
from {{ ref('stg_punches') }}
where is_biometric
union all
select distinct agency_code, 'webir', 'C003', 'national IDs of queried persons in the WebIR log'
from {{ ref('stg_webir_queries') }}
union all
select distinct agency_code, 'roster', 'C003', 'national IDs (as HMAC) in the staff roster'
from {{ ref('stg_roster') }}
