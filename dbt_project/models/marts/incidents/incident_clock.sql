-- The four-hour clock (seed 002 §45) and the outbox ledger per incident, read live: a view over
-- incidents_log and the outbox, so it agrees with incidents_log in the same run (a table built
-- with the models would show the state before the outbox ran). Report due and sent times,
-- on_time / late / overdue / pending, escalation, the 勞保局 report, the scope confirmation, notices.
{{ config(materialized='view') }}

with outbox as (
    select
        incident_id,
        count(*) filter (where kind = 'subject_notice') as notices_queued,
        count(*) filter (where kind = 'subject_notice' and status = 'sent') as notices_sent,
        count(*) filter (where status in ('pending', 'sending')) as messages_waiting,
        count(*) filter (where status = 'in_doubt') as messages_in_doubt,
        max(sent_at) as last_sent_at
    from {{ ref('stg_notifications__notification_outbox') }}
    group by incident_id
)

select
    s.incident_id,
    s.known_at,
    s.report_due_at,
    l.report_sent_at,
    coalesce(l.clock_status, 'pending') as clock_status,
    l.escalated_at,
    s.webir_related as bli_report_required,
    l.bli_report_sent_at,
    c.confirmed_by as scope_confirmed_by,
    c.confirmed_at as scope_confirmed_at,
    c.via as scope_confirmed_via,
    s.authority_report_required,
    s.authority_due_at,
    s.people,
    coalesce(o.notices_queued, 0) as notices_queued,
    coalesce(o.notices_sent, 0) as notices_sent,
    coalesce(o.messages_waiting, 0) as messages_waiting,
    coalesce(o.messages_in_doubt, 0) as messages_in_doubt,
    o.last_sent_at,
    {{ dbt.datediff('s.known_at', 'o.last_sent_at', 'second') }} as seconds_known_to_last_sent
from {{ ref('incident_summary') }} as s
left join {{ ref('stg_notifications__incidents_log') }} as l on s.incident_id = l.incident_id
left join {{ ref('stg_notifications__incident_confirmations') }} as c on s.incident_id = c.incident_id
left join outbox as o on s.incident_id = o.incident_id
