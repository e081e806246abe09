{#- 設備紀錄容量 — what the data management plan form (資料管理計畫書, seed 000) asks of each device: the
    buffer it keeps ("差勤機內保存最新的20000筆刷卡記錄": a rolling buffer, the oldest punch overwritten
    by the newest), the biometric data it holds (資料蒐集方式) and where the data is stored (資料存放地點).
    A device whose declared buffer is missing or larger than the policy (var device_buffer_policy,
    20,000), or whose storage place is not declared, is reported. Punches ever loaded are not compared
    with the buffer: the device holds its latest N whatever the warehouse has received. -#}
with devices as (
    select * from {{ ref('stg_devices') }}
),

policy as (
    select cast({{ var('device_buffer_policy', 20000) }} as bigint) as policy_capacity
),

modalities as (
    select
        d.device_id,
        string_agg(
            case trim(m.modality)
                when 'fingerprint' then '指紋'
                when 'face' then '臉部'
                when 'finger_vein' then '指靜脈'
                when 'palm' then '掌形'
            end,
            '；' order by trim(m.modality)
        ) as biometric_data
    from devices as d, unnest({{ pdgov_split("coalesce(d.modalities, '')", ';') }}) as m (modality)
    where trim(m.modality) in ('fingerprint', 'face', 'finger_vein', 'palm')
    group by d.device_id
),

rated as (
    select
        d.device_id,
        d.agency_code,
        d.model,
        d.brand,
        d.has_biometrics,
        m.biometric_data,
        d.record_capacity,
        p.policy_capacity,
        d.storage_location,
        case
            when d.record_capacity is null then 'missing'
            when d.record_capacity > p.policy_capacity then 'above_policy'
            else 'within_policy'
        end as buffer_status,
        nullif(trim(d.storage_location), '') is null as storage_missing
    from devices as d
    cross join policy as p
    left join modalities as m on d.device_id = m.device_id
)

select
    device_id,
    agency_code,
    model,
    brand,
    has_biometrics,
    biometric_data,
    record_capacity,
    policy_capacity,
    buffer_status,
    storage_location,
    storage_missing,
    buffer_status <> 'within_policy' or storage_missing as needs_report,
    concat_ws(
        '；',
        case when buffer_status = 'missing' then '未填報設備保存筆數 (buffer not declared)' end,
        case
            when buffer_status = 'above_policy'
                then '設備保存筆數 ' || cast(record_capacity as varchar) || ' 筆，超過原則 '
                    || cast(policy_capacity as varchar) || ' 筆 (buffer above policy)'
        end,
        case when storage_missing then '未填報資料存放地點 (storage place not declared)' end
    ) as findings,
    {{ pdgov_as_of() }} as as_of_date
from rated
