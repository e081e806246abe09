{#- A staged raw table's rows with their file's name as `source_file`, from the file ledger.

    Raw rows carry their file by content hash (`file_sha256`), line and load time only; the
    file's name is the ledger's (`stg_ingest__ingest_files`, one row per SHA-256), stored once per
    file rather than on each of the city's punches, where it made every purge's copy of the
    warehouse slower. For the small sources, whose staging models show and rank by the name.
    Aliased, as PostgreSQL before 16 wants every subquery in FROM to be (use it without an alias). -#}
{% macro pdgov_with_file_name(relation) -%}
    (select r.*, f.file_name as source_file
     from {{ relation }} as r
     left join {{ ref('stg_ingest__ingest_files') }} as f on r.file_sha256 = f.file_sha256) as with_file_name
{%- endmacro %}
