-- One row per punch. A re-delivered or overlapping export may repeat a punch: keep one (the latest
-- load wins, then file name, then line) — the others are in base_punches_superseded. A view: the
-- punches are stored once, in raw.punches, and the retention purge deletes them there. The file of
-- a punch is its file_sha256 in the ledger (ingest_files): its name is not repeated on every punch.
select
    r.agency_code,
    r.employee_no,
    r.punched_at,
    cast(r.punched_at as date) as punch_date,
    nullif(r.device_id, '') as device_id,
    r.method,
    r.method in ('fingerprint', 'face', 'finger_vein', 'palm') as is_biometric,
    r.file_sha256,
    r.line_no,
    r.loaded_at
from {{ ref('stg_raw__punches') }} as r
where not exists (
        select 1 from {{ ref('base_punches_superseded') }} as s
        where s.file_sha256 = r.file_sha256 and s.line_no = r.line_no
    )
