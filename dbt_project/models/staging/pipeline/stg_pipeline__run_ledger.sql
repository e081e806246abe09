-- The run ledger (作業紀錄), as pdgov.pipeline writes it.
{{ config(materialized='ephemeral') }}

select
    run_id,
    logical_date,
    triggered_by,
    data_interval_start,
    data_interval_end,
    started_at,
    finished_at,
    status,
    files,
    rows_in,
    rows_rejected,
    detail
from {{ source('pipeline', 'run_ledger') }}
