-- SPEC §2: agencies are identified by their ten-character agency code (機關代碼: nine digits and an
-- upper-case letter); the workbooks name a file after it. Every code in the city's agency list, and
-- every parent it names, must have that form.
select
    agency_code,
    parent_code
from {{ ref('city_agencies') }}
where
    not {{ pdgov_regex_match('agency_code', '^[0-9]{9}[A-Z]$') }}
    or (
        parent_code is not null
        and parent_code != ''
        and not {{ pdgov_regex_match('parent_code', '^[0-9]{9}[A-Z]$') }}
    )
