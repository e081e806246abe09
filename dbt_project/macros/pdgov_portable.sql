{#- Small cross-database helpers: the project runs on DuckDB and, later, on PostgreSQL
    (--target postgres). dbt's own cross-database macros cover dates and strings; these cover the
    rest the models need, dispatched per adapter. -#}

{#- A timestamp or date as text, with a strftime-style pattern ('%Y-%m-%d', '%Y-%m', '%Y-%m-%d %H:%M'). -#}
{% macro pdgov_format_ts(expr, fmt) -%}
    {{ return(adapter.dispatch('pdgov_format_ts', 'pdgov')(expr, fmt)) }}
{%- endmacro %}

{% macro default__pdgov_format_ts(expr, fmt) -%}
    strftime({{ expr }}, '{{ fmt }}')
{%- endmacro %}

{% macro postgres__pdgov_format_ts(expr, fmt) -%}
    to_char({{ expr }}, '{{ fmt | replace('%Y', 'YYYY') | replace('%m', 'MM') | replace('%d', 'DD') | replace('%H', 'HH24') | replace('%M', 'MI') | replace('%S', 'SS') }}')
{%- endmacro %}

{#- The run's as-of date as a DATE literal. Every "as of" rule uses this, never current_date, so a
    backfill sees the world as it was. The night's dbt tasks give it in the environment (PDGOV_AS_OF,
    rendered by Airflow from the run), other callers as the dbt var as_of_date. Why the environment:
    dbt re-parses the whole project when --vars change, and the night's vars changed every night (6 of
    the first dbt task's 12 s at the city). Read only when dbt executes (`execute`), so the parse never
    depends on it and stays valid from one night to the next. -#}
{% macro pdgov_as_of() -%}
    {%- if execute -%}
    cast('{{ env_var("PDGOV_AS_OF", var("as_of_date")) }}' as date)
    {%- else -%}
    cast('{{ var("as_of_date") }}' as date)
    {%- endif -%}
{%- endmacro %}

{#- True when the text matches a regular expression (DuckDB regexp_matches, PostgreSQL ~). -#}
{% macro pdgov_regex_match(expr, pattern) -%}
    {{ return(adapter.dispatch('pdgov_regex_match', 'pdgov')(expr, pattern)) }}
{%- endmacro %}

{% macro default__pdgov_regex_match(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__pdgov_regex_match(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{#- A delimited text as an array, for `from t, unnest({{ pdgov_split(...) }}) as u(item)`. -#}
{% macro pdgov_split(expr, sep) -%}
    {{ return(adapter.dispatch('pdgov_split', 'pdgov')(expr, sep)) }}
{%- endmacro %}

{% macro default__pdgov_split(expr, sep) -%}
    string_split({{ expr }}, '{{ sep }}')
{%- endmacro %}

{#- PostgreSQL's string_to_array('', sep) is an empty array (no row), DuckDB's string_split gives one
    empty item: keep DuckDB's answer so a blank field is still seen (e.g. by register_codes_are_official). -#}
{% macro postgres__pdgov_split(expr, sep) -%}
    (case when {{ expr }} = '' then array['']::text[] else string_to_array({{ expr }}, '{{ sep }}') end)
{%- endmacro %}

{#- The relations holding delivered punches besides raw.punches: on DuckDB the closed months' files
    (raw.punches_closed, pdgov.punch_months); the PostgreSQL target keeps every punch in one table. -#}
{% macro pdgov_closed_punches() -%}
    {{ return(adapter.dispatch('pdgov_closed_punches', 'pdgov')()) }}
{%- endmacro %}

{% macro default__pdgov_closed_punches() -%}
    {{ return([source('raw', 'punches_closed')]) }}
{%- endmacro %}

{% macro postgres__pdgov_closed_punches() -%}
    {{ return([]) }}
{%- endmacro %}
