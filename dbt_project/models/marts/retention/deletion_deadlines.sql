{#-
  Deletion deadlines (刪除期限): per dataset, agency and calendar month, the day by which the
  data must be gone, and where it stands as of the run. The nightly purge deletes what is
  `due` or `overdue`, then marks it `deleted`; a legal hold turns a period `held`.
-#}
{%- set as_of = pdgov_as_of() -%}

with

periods as (

    select * from {{ ref('int_retention_periods') }}

),

evidence as (

    select
        dataset,
        agency_code,
        rule_id,
        period_start,
        sum(rows_deleted) as rows_deleted,
        max(deleted_at) as last_deleted_at
    from {{ ref('stg_retention__deletion_evidence') }}
    -- evidence of lines removed from quarantined files has no period: those rows were never loaded
    where period_start is not null
    group by 1, 2, 3, 4

),

rules as (

    select * from {{ ref('retention_rules') }}

),

holds as (

    select * from {{ ref('int_retention_active_holds') }}

),

period_keys as (

    select
        dataset,
        agency_code,
        rule_id,
        period_start
    from periods
    union
    select
        dataset,
        agency_code,
        rule_id,
        period_start
    from evidence

),

deadlines as (

    select
        period_keys.dataset,
        rules.dataset_zh,
        period_keys.agency_code,
        period_keys.period_start,
        cast({{ dbt.last_day('period_keys.period_start', 'month') }} as date) as period_end,
        period_keys.rule_id,
        rules.legal_basis,
        rules.deletion_basis,
        rules.retain_months,
        rules.destruction_method,
        coalesce(periods.rows_remaining, 0) as rows_remaining,
        coalesce(periods.rows_past_retention, 0) as rows_past_retention,
        coalesce(evidence.rows_deleted, 0) as rows_deleted,
        evidence.last_deleted_at
    from period_keys
    inner join rules on period_keys.rule_id = rules.rule_id
    left join periods
        on period_keys.dataset = periods.dataset
            and period_keys.agency_code = periods.agency_code
            and period_keys.period_start = periods.period_start
    left join evidence
        on period_keys.dataset = evidence.dataset
            and period_keys.agency_code = evidence.agency_code
            and period_keys.period_start = evidence.period_start

),

held as (

    select
        deadlines.dataset,
        deadlines.agency_code,
        deadlines.period_start,
        {{ dbt.listagg('holds.hold_id', "';'", "order by holds.hold_id") }} as hold_ids
    from deadlines
    inner join holds
        on deadlines.dataset = holds.dataset
            and deadlines.agency_code = holds.agency_code
            and deadlines.period_end >= holds.period_start
            and deadlines.period_start <= holds.period_end
    group by 1, 2, 3

),

final as (

    select
        {{ dbt.hash(
            "deadlines.dataset || '|' || deadlines.agency_code || '|' || cast(deadlines.period_start as varchar)"
        ) }} as deadline_key,
        deadlines.dataset,
        deadlines.dataset_zh,
        deadlines.agency_code,
        deadlines.period_start,
        deadlines.period_end,
        deadlines.rule_id,
        deadlines.legal_basis,
        deadlines.deletion_basis,
        deadlines.retain_months,
        cast(
            {{ dbt.dateadd('day', 1, dbt.dateadd('month', 'deadlines.retain_months', 'deadlines.period_end')) }} as date
        ) as delete_by,
        deadlines.rows_remaining,
        deadlines.rows_past_retention,
        deadlines.rows_deleted,
        deadlines.last_deleted_at,
        held.hold_ids,
        deadlines.destruction_method,
        {{ as_of }} as as_of_date
    from deadlines
    left join held
        on deadlines.dataset = held.dataset
            and deadlines.agency_code = held.agency_code
            and deadlines.period_start = held.period_start

)

select
    deadline_key,
    dataset,
    dataset_zh,
    agency_code,
    period_start,
    period_end,
    rule_id,
    legal_basis,
    deletion_basis,
    retain_months,
    delete_by,
    case
        when rows_remaining > 0 and hold_ids is not null then 'held'
        when rows_remaining = 0 and rows_deleted > 0 then 'deleted'
        when rows_remaining > 0 and as_of_date > delete_by then 'overdue'
        when rows_past_retention > 0 then 'due'
        else 'retained'
    end as status,
    rows_remaining,
    rows_past_retention,
    rows_deleted,
    last_deleted_at,
    hold_ids,
    destruction_method,
    as_of_date
from final
