-- seed 000 原則貳二(二): a biometric device the committee lets stay — PRC parts or not — is put on the IT
-- department's managed list (資訊局列冊管理) and into the security audit (資通安全稽核). Rows: approved
-- biometric devices missing from either.
select
    c.device_id,
    c.status,
    m.device_id is not null as on_it_list,
    a.device_id is not null as in_audit_scope
from {{ ref('device_compliance') }} as c
left join {{ ref('device_it_managed_list') }} as m on c.device_id = m.device_id
left join {{ ref('device_security_audit_scope') }} as a on c.device_id = a.device_id
where
    c.status = 'approved'
    and c.has_biometrics
    and (m.device_id is null or a.device_id is null)
