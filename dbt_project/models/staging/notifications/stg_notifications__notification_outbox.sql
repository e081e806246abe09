-- The incident outbox and sent ledger (通知寄送紀錄) as pdgov.notifications wrote it.
{{ config(materialized='ephemeral') }}

select
    message_id,
    incident_id,
    recipient,
    kind,
    agency_code,
    employee_no,
    subject,
    body,
    status,
    attempts,
    last_error,
    queued_at,
    last_attempt_at,
    sent_at,
    run_id
from {{ source('notifications', 'notification_outbox') }}
