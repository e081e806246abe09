{#-
  Rows held per dataset, agency and calendar month, and how many of them have passed their
  retention as of the run (var as_of_date). One branch per table a retention rule governs; the
  anchor column and agency column of each branch match `retention_rules` (the purge reads the
  same seed, so what is counted here is what the purge deletes).
-#}
{%- set city = "'379000000A'" -%}
{%- set branches = [
    ('punches', source('raw', 'punches'), 'punched_at', 'agency_code'),
    ('webir_queries', source('raw', 'webir_queries'), 'queried_at', 'agency_code'),
    ('deletion_evidence', source('retention_ops', 'deletion_evidence'), 'deleted_at', 'agency_code'),
    ('legal_holds', source('retention_ops', 'legal_holds'), 'released_at', 'agency_code'),
    ('run_ledger', source('ops', 'run_ledger'), 'started_at', none),
    ('ingest_files', source('ops', 'ingest_files'), 'first_seen_at', none),
    ('ingest_rejections', source('ops', 'ingest_rejections'), 'rejected_at', none),
] -%}

with

rules as (

    select * from {{ ref('retention_rules') }}

),

held_rows as (
    {% for dataset, relation, anchor, agency in branches %}
    select
        '{{ dataset }}' as dataset,
        {{ agency if agency else city }} as agency_code,
        cast({{ anchor }} as date) as anchor_date
    from {{ relation }}
    where {{ anchor }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

with_cutoff as (

    select
        held_rows.dataset,
        held_rows.agency_code,
        held_rows.anchor_date,
        rules.rule_id,
        cast({{ dbt.dateadd('month', '-1 * rules.retain_months', "cast('" ~ var('as_of_date') ~ "' as date)") }} as date) as cutoff
    from held_rows
    inner join rules on rules.dataset = held_rows.dataset

)

select
    dataset,
    agency_code,
    rule_id,
    cast({{ dbt.date_trunc('month', 'anchor_date') }} as date) as period_start,
    min(cutoff) as cutoff,
    count(*) as rows_remaining,
    sum(case when anchor_date < cutoff then 1 else 0 end) as rows_past_retention,
    min(anchor_date) as first_anchor_date,
    max(anchor_date) as last_anchor_date
from with_cutoff
group by 1, 2, 3, 4
