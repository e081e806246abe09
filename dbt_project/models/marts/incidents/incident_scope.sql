-- The people an incident affects (當事人範圍): one row per incident and person whose data the
-- implicated device or dataset holds — every method punched on the device, everyone enrolled on it
-- (biometric_enrolled) — with the roster's contact for the §44 notice. A person missing from the
-- roster still appears (email null) so nobody is silently left out.
with per_person as (
    select
        incident_id,
        agency_code,
        employee_no,
        cast(sum(records) as bigint) as records,
        cast(coalesce(sum(records) filter (where in_window), 0) as bigint) as records_in_window,
        bool_or(is_biometric) as biometric_enrolled,
        min(first_punched_at) as first_punched_at,
        max(last_punched_at) as last_punched_at,
        string_agg(distinct method, ';' order by method) as methods,
        string_agg(distinct device_id, ';' order by device_id) as device_ids
    from {{ ref('int_incident_affected_punches') }}
    group by incident_id, agency_code, employee_no
),

categories as (
    select
        incident_id,
        string_agg(distinct category_code, ';' order by category_code) as category_codes
    from {{ ref('int_incident_categories') }}
    group by incident_id
)

select
    p.incident_id,
    p.agency_code,
    p.employee_no,
    r.name,
    r.email,
    r.national_id_masked,
    r.employee_no is not null as in_roster,
    p.records,
    p.records_in_window,
    p.biometric_enrolled,
    p.first_punched_at,
    p.last_punched_at,
    p.methods,
    p.device_ids,
    c.category_codes
from per_person as p
left join {{ ref('stg_roster') }} as r on p.agency_code = r.agency_code and p.employee_no = r.employee_no
left join categories as c on p.incident_id = c.incident_id
