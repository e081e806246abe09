-- Legal holds (資料保全): no deletion may touch a period while an active hold covers all of it.
select
    evidence.evidence_id,
    evidence.dataset,
    evidence.agency_code,
    evidence.period_start,
    holds.hold_id
from {{ ref('stg_retention__deletion_evidence') }} as evidence
inner join {{ ref('int_retention_active_holds') }} as holds
    on evidence.dataset = holds.dataset
        and evidence.agency_code = holds.agency_code
        and evidence.period_start >= holds.period_start
        and evidence.period_end <= holds.period_end
        and evidence.deleted_at >= holds.created_at
where evidence.rows_deleted > 0
