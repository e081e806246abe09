-- seed 002 要點第38點第1項: the risk assessment has seven required items — (一) 可識別程度, (二) 檔案型態
-- 及數量, (三) 類別敏感性及風險性, (四) 過程及環境, (五) 存取頻率及存放位置, (六) 適法性, (七) 個資保護意識
-- 及相關知能. Every register row must show all seven in its basis, (二) must weigh the file type as
-- well as the volume, and the score must be their sum. Returns the rows that fail.
select
    agency_code,
    dataset,
    risk_score,
    risk_basis
from {{ ref('personal_data_file_register') }}
where
    risk_basis not like '%可識別%'
    or risk_basis not like '%型態及數量%'
    or risk_basis not like '%敏感性%'
    or risk_basis not like '%環境%'
    or risk_basis not like '%存取%'
    or risk_basis not like '%適法性%'
    or risk_basis not like '%意識及知能%'
    or awareness_level is null
    or {{ pdgov_level_score('form_volume_level') }}
    <> greatest({{ pdgov_level_score('file_type_level') }}, {{ pdgov_level_score('volume_level') }})
    or risk_score <> {{ pdgov_level_score('identifiability') }} + {{ pdgov_level_score('form_volume_level') }}
    + {{ pdgov_level_score('sensitivity') }} + {{ pdgov_level_score('environment_level') }}
    + {{ pdgov_level_score('access_level') }} + {{ pdgov_level_score('legality_level') }}
    + {{ pdgov_level_score('awareness_level') }}
