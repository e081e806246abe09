-- No period may be due before every row in it has been kept its full retention: delete_by must
-- fall after the last day of the period plus the retention (LSA art. 30 ¶5: "保存五年").
select
    deadline_key,
    dataset,
    agency_code,
    period_start,
    delete_by
from {{ ref('deletion_deadlines') }}
where delete_by <= cast({{ dbt.dateadd('month', 'retain_months', 'period_end') }} as date)
