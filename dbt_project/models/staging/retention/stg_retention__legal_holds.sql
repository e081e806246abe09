-- Legal holds (資料保全) as stewards placed and released them.
{{ config(materialized='ephemeral') }}

select
    hold_id,
    agency_code,
    dataset,
    period_start,
    period_end,
    reason,
    created_by,
    created_at,
    released_by,
    released_at,
    release_reason
from {{ source('retention', 'legal_holds') }}
