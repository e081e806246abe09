{#- A risk level (high / medium / low) as a score 3 / 2 / 1, so §38 inputs add up the same way in
    every model and an auditor can recompute the sum by hand. -#}
{% macro pdgov_level_score(column) -%}
    (case {{ column }} when 'high' then 3 when 'medium' then 2 else 1 end)
{%- endmacro %}
