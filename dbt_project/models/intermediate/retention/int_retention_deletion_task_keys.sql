{#-
  Deletion tasks the agencies carry out themselves (刪除作業), one row per task, before deadlines:
  * device_templates — every biometric template on a device that is prohibited or rejected
    (personal_data_file_catalog: 停用設備…即刪除; seed 000 貳), or that the inventory says was
    taken out of service (停用日期, optional column);
  * staff_templates  — the template of a person who left (離職/退休), on each device they used
    biometrically, unless the device's own task covers it. Who left: the WebIR account roster's
    在職狀態, and the staff roster's where the agency's HR export carries it (optional columns
    在職狀態, 離職日期) — staff without a WebIR account are known only from the latter;
  * webir_results    — the query results of a case whose use ended (seed 004 §11(2)2).
  `known_start` is the day the obligation began when the data says it (the first account snapshot
  showing the departure, the roster's 離職日期, the inventory's 停用日期, the recorded end of use);
  other tasks start when pdgov first lists them.
  A table, not a view like other intermediate models: its key tests, `int_retention_task_first_listed`
  and `agency_deletion_tasks` each re-ran its scan of the city's punches through the view (19 s of the
  city night, 2026-12-03); since 2026-12-04 it reads the per-person, per-device punch counts
  (int_punches_per_person_device, 11.8 s of the city night before).
-#}
{{ config(materialized='table') }}
{%- set as_of = pdgov_as_of() %}

with

judged as (

    select
        device_id,
        agency_code,
        status,
        cast(null as date) as retired_on
    from {{ ref('device_compliance') }}
    where status in ('prohibited', 'rejected')

),

devices as (

    select * from judged
    union all
    select
        d.device_id,
        d.agency_code,
        'retired' as status,
        d.retired_on
    from {{ ref('stg_devices') }} as d
    where
        d.retired_on <= {{ as_of }}
        and d.has_biometrics
        and d.device_id not in (select j.device_id from judged as j)

),

departures as (

    select
        agency_code,
        employee_no,
        min(snapshot_date) as left_on,
        min(employment) as employment
    from {{ ref('int_webir_account_snapshots') }}
    where employment in ('resigned', 'retired')
    group by 1, 2
    union all
    -- the latest roster row of the person says so; the day is the export's 離職日期 when it has one
    select
        agency_code,
        employee_no,
        left_on,
        employment
    from {{ ref('stg_roster') }}
    where employment in ('resigned', 'retired')

),

departed as (

    select
        agency_code,
        employee_no,
        min(left_on) as left_on,
        min(employment) as employment
    from departures
    group by 1, 2

),

biometric as (

    -- who left a template on which device: from the per-person, per-device punch counts (the one
    -- pass over the city's punches), not the punches themselves
    select distinct
        p.agency_code,
        p.device_id,
        p.employee_no
    from {{ ref('int_punches_per_person_device') }} as p
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

),

device_tasks as (

    select
        'device_templates' as task_kind,
        d.agency_code,
        d.device_id,
        cast(null as varchar) as employee_no,
        cast(null as varchar) as case_no,
        count(distinct b.employee_no) as templates,
        d.retired_on as known_start,
        case d.status
            when 'prohibited' then '禁止使用之設備：刪除設備內全部生物特徵值'
            when 'rejected' then '委員會不核准之設備：刪除設備內全部生物特徵值'
            else '已停用之設備：刪除設備內全部生物特徵值'
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
