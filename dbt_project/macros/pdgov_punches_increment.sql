{#- De-duplicating the city's punches without a second copy of them. `stg_punches` is a view:
    `raw.punches` minus the rows another delivery of the same punch supersedes. Those rows live in
    the small incremental table `base_punches_superseded`; a night decides again only the punches
    it touched. Before this, `stg_punches` was a view with a window over all ~180 M punches that
    every reader re-ran (12 of the nightly increment's 13 minutes), and then a table holding a
    second copy of every punch (2.9 GB that every purge's copy of the warehouse paid for). -#}

{#- The work table of one increment (the natural keys decided again) and the state table (the
    latest raw load time already decided), both beside the model. -#}
{% macro pdgov_punches_touched() -%}
    {{ return(this.incorporate(path={"identifier": this.identifier ~ "__touched"})) }}
{%- endmacro %}

{% macro pdgov_punches_state() -%}
    {{ return(this.incorporate(path={"identifier": this.identifier ~ "__state"})) }}
{%- endmacro %}

{#- Pre-hook of base_punches_superseded.

    Incremental build: the keys to decide again are those of raw rows loaded after the state's
    `decided_through`, and those of superseded rows whose own file or whose superseding file is no
    longer a loaded file (a corrected re-delivery replaced it: the ingest deleted its raw rows, so
    another row of that punch may now win, or none be left to lose). Their rows leave the table;
    the model then inserts the losers among those keys' raw rows now present — the rule of a full
    build (latest load wins, then file name, then line), so increment and rebuild agree. The work
    table stays until the next build (the key test reads it). Full build: the work table is
    dropped (the key test then reads every row). Both record how far raw has been decided. -#}
{% macro pdgov_punches_prepare_increment() -%}
{%- set touched = pdgov_punches_touched() -%}
{%- set state = pdgov_punches_state() -%}
{%- set delivered = ref('stg_raw__punches') -%}
{%- set live = "select file_sha256 from " ~ ref('stg_ingest__ingest_files') ~ " where source = 'punches' and status = 'loaded'" -%}
{%- if is_incremental() -%}
    create table if not exists {{ state }} (decided_through timestamp);
    drop table if exists {{ touched }};
    create table {{ touched }} as
    select agency_code, employee_no, punched_at, nullif(device_id, '') as device_id, method
    from {{ delivered }}
    where loaded_at > (select coalesce(max(decided_through), cast('1900-01-01' as timestamp)) from {{ state }})
    union
    select agency_code, employee_no, punched_at, device_id, method
    from {{ this }}
    where file_sha256 not in ({{ live }}) or superseded_by_sha256 not in ({{ live }});
    delete from {{ this }} t
    using {{ touched }} k
    where t.agency_code = k.agency_code and t.employee_no = k.employee_no and t.punched_at = k.punched_at
      and t.device_id is not distinct from k.device_id and t.method = k.method;
{%- else -%}
    drop table if exists {{ touched }};
    drop table if exists {{ state }};
    create table {{ state }} (decided_through timestamp);
{%- endif %}
    delete from {{ state }};
    insert into {{ state }} select max(loaded_at) from {{ delivered }}
{%- endmacro %}
