-- Seed 002 §45: a report not sent within four hours of knowledge must show as overdue (or late once
-- sent) — never as on time.
select
    incident_id,
    clock_status,
    report_due_at,
    report_sent_at
from {{ ref('incident_clock') }}
where clock_status = 'on_time' and (report_sent_at is null or report_sent_at > report_due_at)
