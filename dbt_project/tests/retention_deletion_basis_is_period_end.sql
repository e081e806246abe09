-- Seed 002 §21 (and PDPA art. 11(3)): data is deleted because its retention period ended, after a
-- signed approval. A keep-at-least rule (勞動基準法第30條: keep punches five years) is never the
-- reason to delete: every deadline names the period's end under art. 11(3) beside its keep rule.
select
    deadline_key,
    dataset,
    agency_code,
    period_start,
    legal_basis,
    deletion_basis
from {{ ref('deletion_deadlines') }}
where
    deletion_basis is null
    or deletion_basis not like '%個人資料保護法第11條第3項%'
    or deletion_basis not like '%屆滿%'
    or deletion_basis = legal_basis
