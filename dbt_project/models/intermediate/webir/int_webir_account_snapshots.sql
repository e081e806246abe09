-- Every delivered state of every WebIR account, one row per account and roster snapshot date, with the
-- person behind it (roster HMAC of the national ID, when the holder is on the roster). The snapshot
-- history lets a query be judged against the account's state at the time, and a backfill see the
-- roster as it stood on its date. A re-delivered snapshot keeps its latest load.
-- valid_from / valid_to: the days a snapshot is the one in force (from its date to the next one's);
-- the first snapshot also stands for the days before it, the best knowledge there is.
with ranked as (
    select
        *,
        row_number() over (partition by account, snapshot_date order by loaded_at desc, source_file desc) as _rn
    from {{ pdgov_with_file_name(ref('stg_raw__webir_accounts')) }}
)

select
    a.account,
    a.employee_no,
    a.agency_code,
    a.role,
    a.status,
    a.created_at,
    a.last_used_at,
    a.employment,
    a.snapshot_date,
    r.national_id_hmac as holder_hmac,
    coalesce(r.national_id_hmac, a.agency_code || '/' || a.employee_no) as person_key,
    case when lag(a.snapshot_date) over (partition by a.account order by a.snapshot_date) is null
            then cast('1900-01-01' as date)
        else a.snapshot_date
    end as valid_from,
    coalesce(
        lead(a.snapshot_date) over (partition by a.account order by a.snapshot_date),
        cast('9999-12-31' as date)
    ) as valid_to
from ranked as a
left join {{ ref('stg_roster') }} as r on a.agency_code = r.agency_code and a.employee_no = r.employee_no
where a._rn = 1
