-- One row per incident with the facts the §45 report carries (通報內容): reporter, method, time,
-- place, estimated categories, records and people, containment; and whether the 72-hour report to
-- the competent authority of the draft incident rules (Jan 2026) would apply. That rule is off until
-- in force: var incident_authority_rule_enabled (default false).
{% set rule_on = var('incident_authority_rule_enabled', false) %}
with people as (
    select
        incident_id,
        count(*) as people,
        sum(records) as records,
        count(distinct agency_code) as agencies,
        string_agg(distinct agency_code, ';' order by agency_code) as agency_codes,
        count(*) filter (where email is null) as people_without_email
    from {{ ref('incident_scope') }}
    group by incident_id
),

devices as (
    select
        incident_id,
        count(*) as devices_implicated,
        count(distinct agency_code) as device_agencies,
        coalesce(sum(record_capacity), 0) as system_records
    from {{ ref('int_incident_devices') }}
    group by incident_id
),

categories as (
    select
        incident_id,
        string_agg(distinct category_code, ';' order by category_code) as category_codes,
        string_agg(distinct category_label, '；' order by category_label) as category_labels,
        bool_or(dataset = 'biometric_enrolment') as touches_biometrics
    from {{ ref('int_incident_categories') }}
    group by incident_id
)

select
    i.incident_id,
    i.reporter,
    i.reporter_contact,
    i.known_at,
    {{ dbt.dateadd('hour', 4, 'i.known_at') }} as report_due_at,
    i.method,
    i.location,
    i.description,
    i.scope_model,
    i.scope_device_ids,
    i.scope_agency_code,
    i.scope_dataset,
    i.scope_from,
    i.scope_to,
    i.containment,
    -- seed 004 §12(10): an incident involving 勞保局 data (WebIR queries or accounts) is reported to 勞保局 at once
    coalesce(i.scope_dataset like 'webir%', false) as webir_related,
    coalesce(p.people, 0) as people,
    coalesce(p.records, 0) as records,
    coalesce(p.agencies, 0) as agencies,
    p.agency_codes,
    coalesce(p.people_without_email, 0) as people_without_email,
    coalesce(d.devices_implicated, 0) as devices_implicated,
    coalesce(d.device_agencies, 0) as device_agencies,
    coalesce(d.system_records, 0) as system_records,
    c.category_codes,
    c.category_labels,
    coalesce(c.touches_biometrics, false) as touches_sensitive,
    {{ 'true' if rule_on else 'false' }} and (
        coalesce(c.touches_biometrics, false)
        or coalesce(p.records, 0) > {{ var('incident_authority_min_records', 100) }}
        or coalesce(d.system_records, 0) >= {{ var('incident_authority_min_system_records', 10000) }}
    ) as authority_report_required,
    case when {{ 'true' if rule_on else 'false' }} then {{ dbt.dateadd('hour', 72, 'i.known_at') }} end
        as authority_due_at,
    i.source_file
from {{ ref('stg_incidents') }} as i
left join people as p on i.incident_id = p.incident_id
left join devices as d on i.incident_id = d.incident_id
left join categories as c on i.incident_id = c.incident_id
