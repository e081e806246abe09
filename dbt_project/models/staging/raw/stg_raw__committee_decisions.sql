-- raw.committee_decisions, every delivered row: 資料治理委員會決議 (committee decisions), lineage named as everywhere else.
{{ config(materialized='ephemeral') }}

select
    device_id,
    model,
    decision,
    meeting_date,
    doc_no,
    agency_code,
    note,
    _file_sha256 as file_sha256,
    _line_no as line_no,
    _loaded_at as loaded_at
from {{ source('raw', 'committee_decisions') }}
