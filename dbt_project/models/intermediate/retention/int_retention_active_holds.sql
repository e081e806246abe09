{#- Legal holds in force (released_at is null), one row per hold. A hold protects regardless of
    the as-of date: a backfill must never delete what a steward holds today. -#}
select
    hold_id,
    agency_code,
    dataset,
    period_start,
    period_end,
    reason,
    created_by,
    created_at
from {{ ref('stg_retention__legal_holds') }}
where released_at is null
