-- Seed 004 §11(2)2: WebIR query results are deleted within one month after their use ends. Every
-- case whose end of use a steward recorded has a task due exactly one month after that day.
select
    u.agency_code,
    u.case_no,
    u.use_ended_on,
    t.due_date
from {{ ref('stg_retention__webir_result_use_ends') }} as u
left join {{ ref('agency_deletion_tasks') }} as t
    on
        u.agency_code = t.agency_code
        and u.case_no = t.case_no
        and t.task_kind = 'webir_results'
where t.due_date is null or t.due_date <> cast({{ dbt.dateadd('month', 1, 'u.use_ended_on') }} as date)
