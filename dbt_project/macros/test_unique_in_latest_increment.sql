{#- Generic test: the columns together identify a row of the model — checked for the keys in
    `work_table` (the keys the latest incremental build decided again: base_punches_superseded__touched
    for stg_punches) when that table exists, and for every row when it does not (a full build drops
    it). Why that is enough: only a key of the latest build can have changed since the last check.
    Over the city's ~180 M punches the full check takes about two minutes;
    `dbt build --vars '{test_all_punches: true}'` runs it on demand. -#}
{% test unique_in_latest_increment(model, columns, work_table) %}
{%- set touched = none -%}
{%- if execute and not var('test_all_punches', false) -%}
    {#- asked of the database, not dbt's relation cache: a full build drops the table mid-run -#}
    {%- set found = run_query("select count(*) from information_schema.tables where table_schema = '"
                              ~ model.schema ~ "' and table_name = '" ~ work_table ~ "'") -%}
    {%- if found.columns[0].values()[0] > 0 -%}
        {%- set touched = model.incorporate(path={"identifier": work_table}) -%}
    {%- endif -%}
{%- endif %}
{%- if touched is not none %}
select {{ columns | join(', ') }}, count(*) as n_records
from {{ model }} m
where exists (
    select 1 from {{ touched }} k
    where {% for c in columns %}m.{{ c }} is not distinct from k.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
)
group by {{ columns | join(', ') }}
having count(*) > 1
{%- else %}
{#- Every row: counted by a window, not a GROUP BY. At the city (183 M punches, closed months in
    Parquet files beside the open months' table) DuckDB 2.0's hash aggregate over that union ran out
    of memory at 4 GB within seconds, while the window's sort spills to disk: 116 s at 2 GB (PostgreSQL runs it too: no QUALIFY). -#}
select distinct {{ columns | join(', ') }}, n_records
from (
    select {{ columns | join(', ') }}, count(*) over (partition by {{ columns | join(', ') }}) as n_records
    from {{ model }}
) m
where n_records > 1
{%- endif %}
{% endtest %}
