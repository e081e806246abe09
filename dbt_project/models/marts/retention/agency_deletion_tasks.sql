{#-
  刪除作業: the deletions each agency carries out on its own devices and files, with the deadline
  and the evidence it sent back (`pdgov retention task-done`). Biometric templates on prohibited or
  rejected devices and of staff who left (the register's catalogue: 停用設備或離職時即刪除，設備端
  刪除特徵值並出具證明), and WebIR query results one month after their use ended (seed 004 §11(2)2).
  Deadline: one month from the day the obligation began (the data's date, else the day first listed).
-#}
{%- set as_of = pdgov_as_of() -%}

with

keys as (

    select * from {{ ref('int_retention_deletion_task_keys') }}

),

first_listed as (

    select * from {{ ref('int_retention_task_first_listed') }}

),

evidence as (

    select * from {{ ref('stg_retention__deletion_task_evidence') }}

),

dated as (

    select
        keys.*,
        coalesce(keys.known_start, first_listed.first_listed_on, {{ as_of }}) as obligation_start
    from keys
    left join first_listed on keys.task_id = first_listed.task_id

)

select
    dated.task_id,
    dated.agency_code,
    dated.task_kind,
    dated.device_id,
    dated.employee_no,
    dated.case_no,
    dated.templates as items,
    dated.reason,
    case dated.task_kind
        when 'webir_results' then '臺北市政府使用勞保局資料管理要點第11點(二)2、(三)：使用完竣一個月內刪除，留存佐證五年'
        else '個人資料檔案清冊（生物特徵差勤設備資料）：停用設備或離職時即刪除，設備端刪除特徵值並出具證明；個人資料保護法第11條第3項'
    end as basis,
    dated.obligation_start,
    cast({{ dbt.dateadd('month', 1, 'dated.obligation_start') }} as date) as due_date,
    case
        when evidence.task_id is not null then 'done'
        when {{ as_of }} > cast({{ dbt.dateadd('month', 1, 'dated.obligation_start') }} as date) then 'overdue'
        else 'open'
    end as status,
    evidence.done_on,
    evidence.confirmed_by,
    evidence.evidence_ref,
    {{ as_of }} as as_of_date
from dated
left join evidence on dated.task_id = evidence.task_id
