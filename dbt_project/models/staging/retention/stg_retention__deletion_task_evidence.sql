-- Agencies' evidence of deletion tasks done (刪除作業佐證) as stewards recorded it.
{{ config(materialized='ephemeral') }}

select
    task_id,
    agency_code,
    done_on,
    confirmed_by,
    evidence_ref,
    note,
    recorded_at
from {{ source('retention', 'deletion_task_evidence') }}
