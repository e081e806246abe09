{#-
  Rows held per dataset, agency and anchor day (各資料集每日現存筆數), for every table a retention
  rule governs. One branch per table; its anchor column and agency column match `retention_rules`
  (the purge reads the same seed and deletes from the same tables, so what is counted here is what
  the purge deletes). Every stored row counts, a punch delivered twice included: the purge deletes
  rows, not punches. Counted per day so that the city's punches collapse to one row per agency and
  day before the rules are joined (int_retention_periods). A row without an agency — a WebIR log row
  (SPEC §2: the log has no agency column; int_webir_queries takes it from the roster), a finding
  returned without 機關代碼 — counts under the city's code, as the purge counts it (Rule.agency_sql).
  Every enforced rule with a table has its branch here (tests/retention/test_retention_rules.py).
  Audit findings count from when pdgov received them (loaded_at: one date per returned file, never
  before the audit itself), so a returned workbook expires whole.
-#}
-- Ephemeral: inlined into int_retention_periods as the CTE it was, without a task of its own.
{{ config(materialized='ephemeral') }}

{%- set city = "'379000000A'" -%}
{%- set branches = [
    ('punches', ref('stg_raw__punches'), 'punched_at', 'agency_code'),
    ('webir_queries', ref('stg_raw__webir_queries'), 'queried_at', 'agency_code'),
    ('webir_audit_findings', ref('stg_raw__webir_audit_findings'), 'loaded_at', 'agency_code'),
    ('deletion_evidence', ref('stg_retention__deletion_evidence'), 'deleted_at', 'agency_code'),
    ('deletion_task_evidence', ref('stg_retention__deletion_task_evidence'), 'recorded_at', 'agency_code'),
    ('webir_result_use_ends', ref('stg_retention__webir_result_use_ends'), 'recorded_at', 'agency_code'),
    ('legal_holds', ref('stg_retention__legal_holds'), 'released_at', 'agency_code'),
    ('run_ledger', ref('stg_pipeline__run_ledger'), 'started_at', none),
    ('ingest_files', ref('stg_ingest__ingest_files'), 'first_seen_at', none),
    ('ingest_rejections', ref('stg_ingest__ingest_rejections'), 'rejected_at', none),
] -%}

{% for dataset, relation, anchor, agency in branches %}
    select
        '{{ dataset }}' as dataset,
        {{ 'coalesce(' ~ agency ~ ', ' ~ city ~ ')' if agency else city }} as agency_code,
        cast({{ anchor }} as date) as anchor_date,
        count(*) as n_rows
    from {{ relation }}
    where {{ anchor }} is not null
    group by 1, 2, 3
    {% if not loop.last %}union all{% endif %}
{% endfor %}
