-- seed 002 要點第32點: a file's register entry is published within one month after the file is created,
-- and again within one month after it is updated ("更新檔案時，亦同"). Publication is a date: a row
-- counts as published only when its latest publication is on or after the day the entry was created
-- or last updated; otherwise it is due until one month after that day and overdue from then on.
-- Returns the rows whose status or due date says otherwise.
{% set as_of = pdgov_as_of() %}
select
    agency_code,
    dataset,
    entry_updated_on,
    published_on,
    publication_due_date,
    publication_status
from {{ ref('personal_data_file_register') }}
where
    entry_updated_on is null
    or publication_due_date <> cast({{ dbt.dateadd('month', 1, 'entry_updated_on') }} as date)
    or (publication_status = 'published') <> coalesce(published_on >= entry_updated_on, false)
    or (publication_status = 'overdue')
    <> (coalesce(published_on < entry_updated_on, true) and publication_due_date < {{ as_of }})
