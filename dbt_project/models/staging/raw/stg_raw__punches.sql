-- raw.punches, every delivered row: 差勤刷卡紀錄 (attendance punches), lineage columns named as everywhere else.
-- A view, not ephemeral like the other doors: base_punches_superseded's pre-hook names it as a
-- relation, and the city's punches must never become a CTE a reader could materialize.
-- On DuckDB the closed months are not in raw.punches but in Parquet files of their own
-- (raw.punches_closed, pdgov.punch_months: a deletion rewrites a month, not the warehouse);
-- the PostgreSQL target keeps every punch in its one table (pdgov_closed_punches is empty there).
{{ config(materialized='view') }}

{% for part in [source('raw', 'punches')] + pdgov_closed_punches() %}
    {%- if not loop.first %}
        union all
    {% endif %}
    select
        agency_code,
        employee_no,
        punched_at,
        device_id,
        method,
        _file_sha256 as file_sha256,
        _line_no as line_no,
        _loaded_at as loaded_at
    from {{ part }}
{% endfor %}
