-- Seed 004 §6: each WebIR account belongs to one agency, so the querying agency is the account's agency
-- in the account roster snapshot in force on the query's day — whatever agency the log itself names.
-- Fails with every query whose agency is not its roster agency, and every disagreement left unflagged.
select
    q.query_key,
    q.agency_code,
    q.given_agency_code,
    s.agency_code as roster_agency_code
from {{ ref('int_webir_queries') }} as q
inner join {{ ref('int_webir_account_snapshots') }} as s
    on q.account = s.account and q.query_date >= s.valid_from and q.query_date < s.valid_to
where q.agency_code <> s.agency_code
    or (q.given_agency_code is not null and q.given_agency_code <> s.agency_code and not q.agency_mismatch)
    or q.unknown_account
