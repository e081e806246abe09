-- Deletion evidence (刪除佐證紀錄) as the purge wrote it.
{{ config(materialized='ephemeral') }}

select
    evidence_id,
    run_id,
    dataset,
    agency_code,
    rule_id,
    period_start,
    period_end,
    cutoff,
    rows_deleted,
    tables_touched,
    files_deleted,
    files_rewritten,
    files,
    method,
    as_of_date,
    deleted_at,
    batch_id,
    approved_by,
    approved_at,
    approval_ref
from {{ source('retention', 'deletion_evidence') }}
