{#- Generic test: the columns together identify a row — checked, on an incremental table that keeps a
    `<table>__touched` work table of the keys its latest build decided again (stg_punches), for those
    keys, and for every row after a full build (which drops the work table). Why that is enough: a
    row only enters the table after every row of its key has left it (pdgov_punches_prepare_increment),
    so a duplicate can only involve a key of the latest build. Over the city's ~180 M punches the
    full check takes about a minute; `dbt build --vars '{test_all_punches: true}'` runs it on demand. -#}
{% test unique_in_latest_increment(model, columns) %}
{%- set touched = none -%}
{%- if execute and not var('test_all_punches', false) -%}
    {#- asked of the database, not dbt's relation cache: a full build drops the table mid-run -#}
    {%- set found = run_query("select count(*) from information_schema.tables where table_schema = '"
                              ~ model.schema ~ "' and table_name = '" ~ model.identifier ~ "__touched'") -%}
    {%- if found.columns[0].values()[0] > 0 -%}
        {%- set touched = model.incorporate(path={"identifier": model.identifier ~ "__touched"}) -%}
    {%- endif -%}
{%- endif %}
select {{ columns | join(', ') }}, count(*) as n_records
from {{ model }} m
{%- if touched is not none %}
where exists (
    select 1 from {{ touched }} k
    where {% for c in columns %}m.{{ c }} is not distinct from k.{{ c }}{% if not loop.last %} and {% endif %}{% endfor %}
)
{%- endif %}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
