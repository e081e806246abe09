-- raw.roster, every delivered row: 員工名冊 (staff roster), lineage columns named as everywhere else.
{{ config(materialized='ephemeral') }}

select
    agency_code,
    employee_no,
    national_id_hmac,
    national_id_masked,
    name,
    email,
    employment,
    left_on,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'roster') }}
