-- The file ledger (檔案帳), as the ingest writes it.
-- A view, not ephemeral like the other doors: base_punches_superseded's pre-hook names it as a relation.
{{ config(materialized='view') }}

select
    file_sha256,
    source,
    file_name,
    size_bytes,
    status,
    rows_in,
    rows_rejected,
    archived_as,
    run_id,
    first_seen_at,
    loaded_at,
    notes
from {{ source('ingest', 'ingest_files') }}
