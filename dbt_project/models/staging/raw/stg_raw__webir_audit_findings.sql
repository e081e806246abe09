-- raw.webir_audit_findings, every returned line: WebIR查核結果 (the auditor's sample sheet), lineage renamed.
{{ config(materialized='ephemeral') }}

select
    query_key,
    result,
    note,
    auditor,
    audited_on,
    agency_code,
    audit_month,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'webir_audit_findings') }}
