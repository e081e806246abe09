-- 資訊局納管清單 and 資安稽核範圍 (seed 000 貳二(二)): approved biometric devices go on the IT
-- department's managed list and into the security audit scope.
select
    device_id,
    agency_code,
    model,
    brand,
    true as on_it_managed_list,
    true as in_security_audit_scope
from {{ ref('device_compliance') }}
where status = 'approved' and has_biometrics
