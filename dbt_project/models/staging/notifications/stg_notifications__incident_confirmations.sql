-- Scope confirmations (影響範圍確認紀錄), seed 002 §44: who released an incident's notices, when, how.
{{ config(materialized='ephemeral') }}

select
    incident_id,
    confirmed_by,
    confirmed_at,
    via,
    note,
    people_at_confirmation,
    run_id
from {{ source('notifications', 'incident_confirmations') }}
