{#- stg_punches is kept as an incremental table: the city holds ~180 M punches, and every reader of a
    view re-ran its de-duplication (a window over all of them) every night — 12 of the nightly
    increment's 13 minutes. These macros hold the pieces the model, its readers and its tests share. -#}

{#- The stable key of a punch, from its natural key (agency, employee, time, device, method). Computed
    where a single-column key is wanted (incident scope), not stored with every punch: 182 M random
    32-character strings made the warehouse 6 GB larger and every purge's rebuild as much slower. -#}
{% macro pdgov_punch_key(agency_code, employee_no, punched_at, device_key, method) -%}
    md5(concat_ws('|', {{ agency_code }}, {{ employee_no }}, {{ pdgov_format_ts(punched_at, '%Y-%m-%d %H:%M:%S') }},
                  {{ device_key }}, {{ method }}))
{%- endmacro %}

{#- The work table of one increment: the natural keys whose winning row must be decided again. -#}
{% macro pdgov_punches_touched() -%}
    {{ return(this.incorporate(path={"identifier": this.identifier ~ "__touched"})) }}
{%- endmacro %}

{#- Pre-hook of stg_punches on an incremental build; on a full build it drops the work table.

    The keys to decide again are those of the rows loaded since the table was last built (their
    load time is later than any in the table) and those of the table's rows that came from a file
    delivered again tonight under the same name (the ingest replaced that file's raw rows: a punch
    the correction dropped may still be in another file, or in none). Their rows leave the table
    here; the model then inserts, for each such key, the winner among the raw rows now present —
    the same rule as a full build (latest load, then file name, then line), so an increment and a
    rebuild give the same table. The work table stays until the next build: it says what tonight
    changed (the key test `unique_in_latest_increment` reads it). -#}
{% macro pdgov_punches_prepare_increment() -%}
{%- set touched = pdgov_punches_touched() -%}
{%- if is_incremental() -%}
    drop table if exists {{ touched }};
    create table {{ touched }} as
    with new_rows as (
        select agency_code, employee_no, punched_at, nullif(device_id, '') as device_id, method, _source_file
        from {{ source('raw', 'punches') }}
        where _loaded_at > (select coalesce(max(loaded_at), cast('1900-01-01' as timestamp)) from {{ this }})
    )
    select agency_code, employee_no, punched_at, device_id, method from new_rows
    union
    select agency_code, employee_no, punched_at, device_id, method
    from {{ this }}
    where source_file in (select distinct _source_file from new_rows);
    delete from {{ this }} t
    using {{ touched }} k
    where t.agency_code = k.agency_code and t.employee_no = k.employee_no and t.punched_at = k.punched_at
      and t.device_id is not distinct from k.device_id and t.method = k.method
{%- else -%}
    drop table if exists {{ touched }}
{%- endif -%}
{%- endmacro %}
