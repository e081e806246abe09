-- Every problem found in a refused file (退件明細), as the ingest writes it.
{{ config(materialized='ephemeral') }}

select
    source,
    file_name,
    file_sha256,
    line_no,
    column_name,
    reason,
    run_id,
    rejected_at
from {{ source('ingest', 'ingest_rejections') }}
