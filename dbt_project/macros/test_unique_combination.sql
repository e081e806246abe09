{#- Generic test: the given columns together identify a row (no package needed, so the project
    builds offline). Used on marts whose key is a pair (incident and device, agency and month …). -#}
{% test unique_combination_of(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
