-- 清冊登載版本: every version of each agency's register entry, with the nights it was first and last
-- seen — the record seed 002 §32 needs to know when a file was "建立或更新" (created or updated), so
-- that the register can say when the entry is due for publication again. Incremental and never
-- rebuilt from scratch: a night adds a version the first time its content (entry_hash) appears and
-- moves last_seen_on; a backfill of an earlier night moves first_seen_on back. It names no person.
{{ config(materialized='incremental', incremental_strategy='delete+insert',
          unique_key=['agency_code', 'dataset', 'entry_hash'], full_refresh=false) }}
{% set as_of = pdgov_as_of() %}
select
    e.agency_code,
    e.dataset,
    e.entry_hash,
    {% if is_incremental() %}
        coalesce(least(prev.first_seen_on, {{ as_of }}), {{ as_of }}) as first_seen_on,
        coalesce(greatest(prev.last_seen_on, {{ as_of }}), {{ as_of }}) as last_seen_on
    {% else %}
        {{ as_of }} as first_seen_on,
        {{ as_of }} as last_seen_on
    {% endif %}
from {{ ref('int_register_entries') }} as e
{% if is_incremental() %}
    left join {{ this }} as prev
        on e.agency_code = prev.agency_code and e.dataset = prev.dataset and e.entry_hash = prev.entry_hash
{% endif %}
