-- seed 000 原則貳二(一)(二) and issue 23: only the data governance committee approves a biometric device.
-- Rows: a biometric device shown approved without a committee decision 核准, or an inventory's own 核准
-- without a decision that is not flagged (self_declared_approval).
select
    device_id,
    status,
    committee_status,
    committee_decision
from {{ ref('device_compliance') }}
where
    (status = 'approved' and has_biometrics and coalesce(committee_decision, '') <> 'approved')
    or (self_declared_approval and status in ('approved', 'review_required'))
