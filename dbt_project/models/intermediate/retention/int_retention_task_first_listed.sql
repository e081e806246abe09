{#-
  The as-of day each deletion task was first listed (首次列管日). A device's task has no date in the
  data (the inventory says what a device is, not since when), so its one-month deadline counts from
  the night pdgov first listed it. Incremental: a rebuild never moves the day later.
-#}
{{ config(materialized='incremental', unique_key='task_id') }}
{%- set as_of = pdgov_as_of() %}

select
    k.task_id,
    {{ as_of }} as first_listed_on
from {{ ref('int_retention_deletion_task_keys') }} as k
{% if is_incremental() %}
    where k.task_id not in (select t.task_id from {{ this }} as t)
{% endif %}
