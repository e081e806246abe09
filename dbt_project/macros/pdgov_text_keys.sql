{#- Matching text as people type it (issue 18): the same key for 中國製, 中國, CHN, P.R.C., ＣＨＩＮＡ …
    pdgov_text_key: full-width forms to half-width (the part of NFKC that matters for CJK input:
    full-width Latin, digits and the ideographic space), lower case, spaces and punctuation removed
    (dots, brackets, apostrophes, hyphens, CJK punctuation) — POSIX classes, so PostgreSQL reads
    the same pattern as DuckDB.
    pdgov_country_key: the text key without a "made in" prefix or a 製/製造 suffix, so 中國製,
    大陸製造, Made in China and 中国制造 meet their country's entry. Both sides of a lookup (the
    seed's text and the delivered text) go through the same macro. -#}
{%- macro pdgov_text_key(expr) -%}
regexp_replace(lower(translate(coalesce({{ expr }}, ''), '！＂＃＄％＆＇（）＊＋，－．／０１２３４５６７８９：；＜＝＞？＠ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺ［＼］＾＿｀ａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ｛｜｝～　', '!"#$%&''()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\]^_`abcdefghijklmnopqrstuvwxyz{|}~ ')), '[[:space:][:punct:]、，。；：「」『』【】《》〈〉・·‧–—]', '', 'g')
{%- endmacro -%}

{%- macro pdgov_country_key(expr) -%}
regexp_replace(regexp_replace({{ pdgov_text_key(expr) }}, '^madein', ''), '(製造|制造|製|制|生產|生产)$', '')
{%- endmacro -%}
