-- Legal holds (資料保全): no deletion may touch a period while an active hold covers all of it.
select evidence.evidence_id, evidence.dataset, evidence.agency_code, evidence.period_start, holds.hold_id
from {{ ref('stg_retention__deletion_evidence') }} as evidence
inner join {{ ref('int_retention_active_holds') }} as holds
    on holds.dataset = evidence.dataset
    and holds.agency_code = evidence.agency_code
    and holds.period_start <= evidence.period_start
    and holds.period_end >= evidence.period_end
    and evidence.deleted_at >= holds.created_at
where evidence.rows_deleted > 0
