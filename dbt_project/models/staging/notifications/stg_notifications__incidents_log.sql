-- The incident clock (事件處理時鐘紀錄) as the last outbox run left it.
{{ config(materialized='ephemeral') }}

select
    incident_id,
    known_at,
    report_due_at,
    report_sent_at,
    clock_status,
    escalated_at,
    authority_report_required,
    authority_due_at,
    people,
    records,
    notices_queued,
    notices_sent,
    messages_failed,
    bli_report_required,
    bli_report_sent_at,
    scope_confirmed_by,
    scope_confirmed_at,
    scope_confirmed_via,
    first_seen_at,
    updated_at,
    last_run_id
from {{ source('notifications', 'incidents_log') }}
