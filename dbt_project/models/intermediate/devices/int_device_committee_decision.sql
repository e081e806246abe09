-- 資料治理委員會決議 in force per device (seed 000 貳二, issue 23): the committee's own decisions, not the
-- column an agency types into its inventory. A decision names a device (設備編號) or a model (型號, every
-- device of it). The latest meeting wins; at the same meeting a decision on the device beats one on its
-- model. Decisions after the run's date are not yet made (a backfill sees the decisions of its day).
-- One row per device that has any decision.
with decisions as (
    select
        nullif(upper(trim(device_id)), '') as device_key,
        nullif({{ pdgov_text_key('model') }}, '') as model_key,
        decision,
        meeting_date,
        doc_no,
        loaded_at,
        line_no
    from {{ ref('stg_raw__committee_decisions') }}
    where meeting_date <= {{ pdgov_as_of() }}
),

devices as (
    select
        device_id,
        upper(trim(device_id)) as device_key,
        nullif({{ pdgov_text_key('model') }}, '') as model_key
    from {{ ref('stg_devices') }}
),

candidates as (
    select
        d.device_id,
        c.decision,
        c.meeting_date,
        c.doc_no,
        'device' as decided_on,
        1 as level_rank,
        c.loaded_at,
        c.line_no
    from devices as d
    inner join decisions as c on d.device_key = c.device_key
    union all
    select
        d.device_id,
        c.decision,
        c.meeting_date,
        c.doc_no,
        'model' as decided_on,
        2 as level_rank,
        c.loaded_at,
        c.line_no
    from devices as d
    inner join decisions as c on d.model_key = c.model_key
    where c.device_key is null
),

ranked as (
    select
        *,
        row_number() over (
            partition by device_id
            order by meeting_date desc, level_rank asc, loaded_at desc, line_no desc
        ) as _rn
    from candidates
)

select
    device_id,
    decision,
    meeting_date,
    doc_no,
    decided_on
from ranked
where _rn = 1
