-- The §43 response steps taken (應變措施紀錄), one row per incident and step.
{{ config(materialized='ephemeral') }}

select
    incident_id,
    step_no,
    done_at,
    done_by,
    note,
    recorded_at
from {{ source('notifications', 'incident_response_log') }}
