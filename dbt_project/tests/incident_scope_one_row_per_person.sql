-- One notice per person (§44): a person appears once per incident in the scope.
select
    incident_id,
    agency_code,
    employee_no,
    count(*) as n
from {{ ref('incident_scope') }}
group by incident_id, agency_code, employee_no
having count(*) > 1
