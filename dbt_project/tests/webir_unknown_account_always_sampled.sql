-- Seed 004 §6 (each WebIR account belongs to one agency's roster) and §12(1) (the monthly audit):
-- a query by an account that is on no roster is kept and always in the audit sample, beyond the
-- 3 %-and-10 random part — never dropped. Fails with every such query that is missing from the sample.
select
    q.query_key,
    q.account,
    q.queried_at
from {{ ref('int_webir_query_flags') }} as q
where q.flag_unknown_account
    and not exists (
        select 1 from {{ ref('webir_audit_samples') }} as s
        where s.query_key = q.query_key and s.sample_kind = 'flagged' and s.unknown_account
    )
