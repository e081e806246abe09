{#-
  Deletion tasks the agencies carry out themselves (刪除作業), one row per task, before deadlines:
  * device_templates — every biometric template on a device that is prohibited or rejected
    (personal_data_file_catalog: 停用設備…即刪除; seed 000 貳);
  * staff_templates  — the template of a person who left (離職/退休), on each device they used
    biometrically, unless the device's own task covers it;
  * webir_results    — the query results of a case whose use ended (seed 004 §11(2)2).
  `known_start` is the day the obligation began when the data says it (the first account snapshot
  showing the departure, the recorded end of use); device tasks start when pdgov first lists them.
-#}
with

devices as (

    select
        device_id,
        agency_code,
        status
    from {{ ref('device_compliance') }}
    where status in ('prohibited', 'rejected')

),

departed as (

    select
        agency_code,
        employee_no,
        min(snapshot_date) as left_on,
        min(employment) as employment
    from {{ ref('int_webir_account_snapshots') }}
    where employment in ('resigned', 'retired')
    group by 1, 2

),

biometric as (

    select
        p.agency_code,
        p.device_id,
        p.employee_no
    from {{ ref('stg_punches') }} as p
    where
        p.is_biometric
        and p.device_id is not null
        and (
            p.device_id in (select d.device_id from devices as d)
            or exists (
                select 1 from departed as l
                where l.agency_code = p.agency_code and l.employee_no = p.employee_no
            )
        )
    group by 1, 2, 3

),

device_tasks as (

    select
        'device_templates' as task_kind,
        d.agency_code,
        d.device_id,
        cast(null as varchar) as employee_no,
        cast(null as varchar) as case_no,
        count(distinct b.employee_no) as templates,
        cast(null as date) as known_start,
        case d.status
            when 'prohibited' then '禁止使用之設備：刪除設備內全部生物特徵值'
            else '委員會不核准之設備：刪除設備內全部生物特徵值'
        end as reason
    from devices as d
    left join biometric as b on d.device_id = b.device_id
    group by 1, 2, 3, 4, 5, 7, 8

),

staff_tasks as (

    select
        'staff_templates' as task_kind,
        b.agency_code,
        b.device_id,
        b.employee_no,
        cast(null as varchar) as case_no,
        1 as templates,
        l.left_on as known_start,
        case l.employment
            when 'retired' then '人員已退休：刪除其於設備之生物特徵值'
            else '人員已離職：刪除其於設備之生物特徵值'
        end as reason
    from biometric as b
    inner join departed as l on b.agency_code = l.agency_code and b.employee_no = l.employee_no
    where b.device_id not in (select d.device_id from devices as d)

),

webir_tasks as (

    select
        'webir_results' as task_kind,
        u.agency_code,
        cast(null as varchar) as device_id,
        cast(null as varchar) as employee_no,
        u.case_no,
        count(q.query_key) as templates,
        u.use_ended_on as known_start,
        '查詢所得資料使用完竣：一個月內刪除（含暫存檔、備份檔及衍生檔案）' as reason
    from {{ ref('stg_retention__webir_result_use_ends') }} as u
    left join {{ ref('int_webir_queries') }} as q
        on u.agency_code = q.agency_code and u.case_no = q.case_no
    group by 1, 2, 3, 4, 5, 7, 8

),

tasks as (

    select * from device_tasks
    union all
    select * from staff_tasks
    union all
    select * from webir_tasks

)

select
    {{ dbt.hash(
        "task_kind || '|' || agency_code || '|' || coalesce(device_id, '') || '|' || coalesce(employee_no, '')"
        ~ " || '|' || coalesce(case_no, '')"
    ) }} as task_id,
    task_kind,
    agency_code,
    device_id,
    employee_no,
    case_no,
    templates,
    known_start,
    reason
from tasks
