{#- A raw table's rows with their file's name as `_source_file`, from the file ledger.

    Raw rows carry their file by content hash (`_file_sha256`), line and load time only; the
    file's name is the ledger's (`ingest_files`, one row per SHA-256), stored once per file
    rather than on each of the city's ~180 M punches, where it made every purge's copy of the
    warehouse ~9 s slower. For the small sources, whose staging models show and rank by the name.
    Aliased, as PostgreSQL before 16 wants every subquery in FROM to be (use it without an alias). -#}
{% macro pdgov_raw_with_file_name(relation) -%}
    (select r.*, f.file_name as _source_file
     from {{ relation }} r
     left join {{ source('ops', 'ingest_files') }} f on f.file_sha256 = r._file_sha256) as raw_with_file_name
{%- endmacro %}
