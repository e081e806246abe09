-- Seed 002 §43: the thirteen response steps, per incident, as a checklist with times (應變措施檢核表):
-- done (within the four hours), late (done after them), open. A view over the steps recorded with
-- `pdgov incident step`, so it is current whenever read.
{{ config(materialized='view') }}

select
    i.incident_id,
    st.step_no,
    st.step_label,
    st.seed_ref,
    i.known_at,
    {{ dbt.dateadd('hour', 4, 'i.known_at') }} as due_at,
    r.done_at,
    r.done_by,
    r.note,
    case
        when r.done_at is null then 'open'
        when r.done_at <= {{ dbt.dateadd('hour', 4, 'i.known_at') }} then 'done'
        else 'late'
    end as step_status
from {{ ref('stg_incidents') }} as i
cross join {{ ref('incident_response_steps') }} as st
left join {{ ref('stg_notifications__incident_response_log') }} as r
    on i.incident_id = r.incident_id and st.step_no = r.step_no
