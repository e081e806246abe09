{#- Generic test: the column is unique — checked, on an incremental table that keeps a `<table>__touched`
    work table (stg_punches), for the keys its latest build decided again, and for every row after a
    full build (which drops the work table). Why that is enough: a row only enters the table after
    every row of its key has left it (pdgov_punches_prepare_increment), so a duplicate can only
    involve a key of the latest build. Over the city's ~180 M punches the full check took 4 minutes a
    night; `dbt build --vars '{test_all_punches: true}'` still runs it on demand. -#}
{% test unique_in_latest_increment(model, column_name) %}
{%- set touched = none -%}
{%- if execute and not var('test_all_punches', false) -%}
    {#- asked of the database, not dbt's relation cache: a full build drops the table mid-run -#}
    {%- set found = run_query("select count(*) from information_schema.tables where table_schema = '"
                              ~ model.schema ~ "' and table_name = '" ~ model.identifier ~ "__touched'") -%}
    {%- if found.columns[0].values()[0] > 0 -%}
        {%- set touched = model.incorporate(path={"identifier": model.identifier ~ "__touched"}) -%}
    {%- endif -%}
{%- endif %}
select {{ column_name }} as unique_field, count(*) as n_records
from {{ model }}
where {{ column_name }} is not null
{%- if touched is not none %}
  and {{ column_name }} in (select {{ column_name }} from {{ touched }})
{%- endif %}
group by {{ column_name }}
having count(*) > 1
{% endtest %}
