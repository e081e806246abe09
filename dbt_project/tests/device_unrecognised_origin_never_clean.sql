-- issue 18 (SPEC §2): country text the map cannot read flags the device; it never counts as clean.
-- seed 000 原則貳二(一): the origin must be ascertained before the committee decides. Rows: a device with
-- unrecognised origin text, or a biometric device with no origin, shown approved or merely awaiting review.
select
    device_id,
    status,
    reasons
from {{ ref('device_compliance') }}
where
    (text_unrecognised or (origin_unknown and has_biometrics))
    and status in ('approved', 'review_required')
