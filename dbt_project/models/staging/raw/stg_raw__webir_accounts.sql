-- raw.webir_accounts, every delivered row: WebIR帳號清冊 (WebIR account roster), lineage columns named as everywhere else.
{{ config(materialized='ephemeral') }}

select
    account,
    employee_no,
    agency_code,
    role,
    status,
    created_at,
    last_used_at,
    employment,
    snapshot_date,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'webir_accounts') }}
