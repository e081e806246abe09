{#- TAIPEION 優先 (seed 000 原則壹): agencies use the TAIPEION app's mobile punch first; existing devices
    run beside it until they are due for replacement, and purchases shrink as they retire. Per agency:
    the share of punches by app, web and biometric device over the last 12 months (var
    taipeion_share_months) and the 12 months before, so the committee sees the move away from
    biometrics; and the biometric devices near end of life — in service for at least the service life
    (var device_service_life_years, 5: the 最低使用年限 commonly given to office electronic equipment in
    行政院主計總處《財物標準分類》; set it to the devices' property records) within the next 12 months,
    i.e. devices the agency should retire rather than replace. -#}
{%- set months = var('taipeion_share_months', 12) -%}
{%- set life = var('device_service_life_years', 5) -%}
with bounds as (
    select
        {{ pdgov_as_of() }} as as_of_date,
        cast({{ dbt.dateadd('month', '-' ~ months, pdgov_as_of()) }} as date) as window_start,
        cast({{ dbt.dateadd('month', '-' ~ (2 * months), pdgov_as_of()) }} as date) as previous_start
),

punches as (
    select
        p.agency_code,
        p.method,
        p.is_biometric,
        p.punch_date > b.window_start as in_window
    from {{ ref('stg_punches') }} as p
    cross join bounds as b
    where p.punch_date > b.previous_start and p.punch_date <= b.as_of_date
),

shares as (
    select
        agency_code,
        count(*) filter (where in_window) as punches,
        count(*) filter (where in_window and method = 'app') as app_punches,
        count(*) filter (where in_window and method = 'web') as web_punches,
        count(*) filter (where in_window and is_biometric) as biometric_punches,
        count(*) filter (where in_window and method = 'card') as card_punches,
        count(*) filter (where not in_window) as previous_punches,
        count(*) filter (where not in_window and is_biometric) as previous_biometric_punches
    from punches
    group by agency_code
),

devices as (
    select
        d.agency_code,
        d.device_id,
        d.in_service_since,
        cast({{ dbt.dateadd('year', life, 'd.in_service_since') }} as date) as end_of_life_on
    from {{ ref('stg_devices') }} as d
    where d.has_biometrics
),

device_counts as (
    select
        d.agency_code,
        count(*) as biometric_devices,
        count(*) filter (
            where d.end_of_life_on <= cast({{ dbt.dateadd('month', 12, 'b.as_of_date') }} as date)
        ) as devices_near_end_of_life,
        string_agg(d.device_id, ';' order by d.device_id) filter (
            where d.end_of_life_on <= cast({{ dbt.dateadd('month', 12, 'b.as_of_date') }} as date)
        ) as near_end_of_life_device_ids,
        count(*) filter (where d.in_service_since is null) as devices_age_unknown
    from devices as d
    cross join bounds as b
    group by d.agency_code
),

agencies as (
    select agency_code from shares
    union
    select agency_code from device_counts
)

select
    a.agency_code,
    b.window_start,
    b.as_of_date as window_end,
    coalesce(s.punches, 0) as punches,
    coalesce(s.app_punches, 0) as app_punches,
    coalesce(s.web_punches, 0) as web_punches,
    coalesce(s.biometric_punches, 0) as biometric_punches,
    coalesce(s.card_punches, 0) as card_punches,
    round(1.0 * s.app_punches / nullif(s.punches, 0), 4) as app_share,
    round(1.0 * s.biometric_punches / nullif(s.punches, 0), 4) as biometric_share,
    round(1.0 * s.previous_biometric_punches / nullif(s.previous_punches, 0), 4) as previous_biometric_share,
    coalesce(c.biometric_devices, 0) as biometric_devices,
    coalesce(c.devices_near_end_of_life, 0) as devices_near_end_of_life,
    c.near_end_of_life_device_ids,
    coalesce(c.devices_age_unknown, 0) as devices_age_unknown,
    {{ life }} as service_life_years
from agencies as a
cross join bounds as b
left join shares as s on a.agency_code = s.agency_code
left join device_counts as c on a.agency_code = c.agency_code
