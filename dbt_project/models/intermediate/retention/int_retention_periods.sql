{#-
  Rows held per dataset, agency and calendar month, and how many of them have passed their
  retention as of the run (pdgov_as_of): a row has passed it when its anchor date is before the
  cutoff, the as-of date less the rule's retention in months. So a row anchored on 2021-03-15 under
  a 60-month rule is still retained on 2026-03-15 and past retention on 2026-03-16.
-#}
with

held_days as (

    select * from {{ ref('int_retention_held_days') }}

),

rules as (

    select * from {{ ref('retention_rules') }}

),

with_cutoff as (

    select
        held_days.dataset,
        held_days.agency_code,
        held_days.anchor_date,
        held_days.n_rows,
        rules.rule_id,
        cast({{ dbt.dateadd('month', '-1 * rules.retain_months', pdgov_as_of()) }} as date) as cutoff
    from held_days
    inner join rules on held_days.dataset = rules.dataset

)

select
    dataset,
    agency_code,
    rule_id,
    cast({{ dbt.date_trunc('month', 'anchor_date') }} as date) as period_start,
    min(cutoff) as cutoff,
    cast(sum(n_rows) as bigint) as rows_remaining,
    cast(sum(case when anchor_date < cutoff then n_rows else 0 end) as bigint) as rows_past_retention,
    min(anchor_date) as first_anchor_date,
    max(anchor_date) as last_anchor_date
from with_cutoff
group by 1, 2, 3, 4
