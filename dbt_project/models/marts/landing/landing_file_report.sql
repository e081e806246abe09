-- 收件及退件報告: one row per delivered file (by SHA-256), for the data stewards who dropped it — was
-- it loaded or refused, how many rows, and for a refused file how many problems and the first one
-- (line, column, reason; the full list is in ingest_rejections and beside the file in quarantine/).
with files as (
    select * from {{ ref('stg_ingest__ingest_files') }}
),

problems as (
    select
        file_sha256,
        count(*) as problems,
        min(line_no) as first_problem_line
    from {{ ref('stg_ingest__ingest_rejections') }}
    group by 1
),

first_problem as (
    select
        r.file_sha256,
        min(coalesce(r.column_name, '') || '：' || r.reason) as first_problem
    from {{ ref('stg_ingest__ingest_rejections') }} as r
    inner join problems as p on r.file_sha256 = p.file_sha256 and r.line_no = p.first_problem_line
    group by 1
)

select
    f.source,
    f.file_name,
    f.file_sha256,
    f.status,
    f.rows_in,
    f.rows_rejected,
    coalesce(p.problems, 0) as problems,
    p.first_problem_line,
    fp.first_problem,
    f.archived_as,
    f.run_id,
    f.first_seen_at,
    f.loaded_at,
    f.notes
from files as f
left join problems as p on f.file_sha256 = p.file_sha256
left join first_problem as fp on f.file_sha256 = fp.file_sha256
