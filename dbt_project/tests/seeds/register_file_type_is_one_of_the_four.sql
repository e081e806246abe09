-- seed 002 要點第37點第2項第6款: 檔案型態 is one (or several, separated by 、 or ；) of the four types the
-- point lists — 紙本類、電子類、可攜式媒體內之電子檔、系統資料庫. Returns the catalog's other words.
select
    c.dataset,
    trim(t.file_type) as file_type
from {{ ref('personal_data_file_catalog') }} as c,
    unnest({{ pdgov_split("replace(c.file_type, '；', '、')", '、') }}) as t (file_type)
where trim(t.file_type) not in ('紙本類', '電子類', '可攜式媒體內之電子檔', '系統資料庫')
