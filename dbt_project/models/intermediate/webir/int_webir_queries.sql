-- Every WebIR query with the agency that made it (seed 004 §6: each account belongs to one agency).
-- SPEC §2 lists no agency column in the WebIR log: the querying agency is the account's agency in
-- the account roster snapshot in force on the query's day (the latest delivered on or before it,
-- else the earliest: int_webir_account_snapshots' valid_from / valid_to). An agency the log itself
-- gives (a 機關代碼 column or the file name's prefix, stg_webir_queries.agency_code) is kept as
-- given_agency_code; the roster decides when both are known and they disagree (agency_mismatch).
-- An account on no roster at all keeps the given agency (NULL when there is none) and is marked
-- unknown_account: loaded, never dropped, always sampled (int_webir_query_flags).
with q as (
    select * from {{ ref('stg_webir_queries') }}
),

snapshots as (
    select * from {{ ref('int_webir_account_snapshots') }}
),

known as (
    select distinct account from snapshots
),

in_force as (
    select
        q.query_key,
        s.agency_code as roster_agency_code
    from q
    inner join snapshots as s
        on q.account = s.account and q.query_date >= s.valid_from and q.query_date < s.valid_to
)

select
    q.query_key,
    coalesce(f.roster_agency_code, q.agency_code) as agency_code,
    q.agency_code as given_agency_code,
    f.roster_agency_code,
    k.account is null as unknown_account,
    coalesce(f.roster_agency_code <> q.agency_code, false) as agency_mismatch,
    q.account,
    q.queried_at,
    q.query_date,
    q.op_code,
    q.subject_hmac,
    q.subject_masked,
    q.case_no,
    q.reason,
    q.result,
    q.source_file,
    q.file_sha256,
    q.line_no,
    q.loaded_at
from q
left join in_force as f on q.query_key = f.query_key
left join known as k on q.account = k.account
