{#- A steward-maintained register field, or an explicit marker when the steward left it empty:
    seed 002 §37 wants every field of the register answered, and an auditor must see a gap as a gap
    (未填報) rather than a blank cell that looks like "none". -#}
{% macro pdgov_filled(column) -%}
    coalesce(nullif(trim({{ column }}), ''), '未填報')
{%- endmacro %}
