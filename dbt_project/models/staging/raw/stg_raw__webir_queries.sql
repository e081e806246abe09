-- raw.webir_queries, every delivered row: 勞保WebIR查詢日誌 (WebIR query log), lineage columns named as everywhere else.
{{ config(materialized='ephemeral') }}

select
    query_key,
    agency_code,
    account,
    queried_at,
    op_code,
    subject_hmac,
    subject_masked,
    case_no,
    reason,
    result,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'webir_queries') }}
