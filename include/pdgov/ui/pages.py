"""The pdgov pages' HTML: server-rendered, escaped, no script, styled to sit inside the Airflow UI."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from pathlib import Path
from urllib.parse import urlencode

from pdgov.exports.excel import _text, cell_value
from pdgov.ui import charts, dashboard
from pdgov.ui.access import Scope

STYLE = """
body{font-family:"Noto Sans TC","Microsoft JhengHei","PingFang TC",sans-serif;margin:0;color:#222;background:#f6f7f9}
header{background:#fff;border-bottom:1px solid #dde;padding:10px 20px;display:flex;gap:24px;align-items:center;flex-wrap:wrap}
header h1{font-size:19px;margin:0} nav a{margin-right:14px;text-decoration:none;color:#2b5d8c} nav a.on{font-weight:bold}
.who{margin-left:auto;font-size:13px;color:#555} main{padding:16px 20px}
form.pick{display:flex;gap:12px;align-items:center;margin-bottom:14px;flex-wrap:wrap} select,button{font-size:14px;padding:3px 6px}
.banner{background:#fff3cd;border:1px solid #e0c36b;padding:8px 12px;margin-bottom:12px}
.denied{background:#f8d7da;border:1px solid #e3a1a8;padding:10px 14px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(470px,1fr));gap:14px}
.tile{background:#fff;border:1px solid #dde;border-radius:6px;padding:12px 14px}
.tile h2{font-size:16px;margin:0 0 4px} .headline{font-size:20px;font-weight:bold;margin:2px 0}
.caption,.note{font-size:13px;color:#555;margin:2px 0 8px} .tile a.all{font-size:13px;display:block;margin-top:6px}
svg.chart{display:block;max-width:100%} .overview{margin-top:16px} .overview td.n{text-align:right}
.chart a:hover rect{opacity:.8} .empty{color:#777}
table{border-collapse:collapse;background:#fff} td,th{border:1px solid #ccc;padding:4px 8px;font-size:13px;vertical-align:top}
th{background:#ddebf7;text-align:left} tr.violation td{background:#f8cbad} tr.warning td{background:#ffe699}
code{font-size:11px} .books{margin:10px 0 14px}
"""


def _q(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def layout(base: str, title: str, active: str, scope: Scope, body: str) -> str:
    nav = "".join(f'<a href="{base}/{href}" class="{"on" if key == active else ""}">{label}</a>'
                  for key, href, label in (("dashboard", "dashboard", "儀表板"), ("books", "", "活頁簿"),
                                           ("docs", "docs/index.html", "資料血緣文件")))
    seen = "全部機關（委員會）" if scope.everything else "、".join(sorted(scope.agencies)) or "無"
    return f"""<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(title)}</title>
<style>{STYLE}</style></head><body>
<header><h1>{escape(title)}</h1><nav>{nav}</nav>
<span class="who" id="who">{escape(scope.user)}｜可見範圍：{escape(seen)}</span></header>
<main>{body}</main></body></html>"""


def denied(base: str, scope: Scope, title: str) -> str:
    return layout(base, title, "", scope, f'<p class="denied" id="denied">{escape(scope.problem)}</p>')


def refused(base: str, status: int, detail: str) -> str:
    """A browser's answer to what it may not see (403) or what is not there (404)."""
    what = "您的帳號無權檢視此機關之資料或活頁簿" if status == 403 else "查無此頁或此檔案"
    return (f'<!doctype html><html lang="zh-Hant"><head><meta charset="utf-8"><title>{status}</title>'
            f'<style>{STYLE}</style></head><body><main><p class="denied" id="refused">{what}（{status}：'
            f'{escape(detail)}）</p><p><a href="{base}/dashboard">← 儀表板</a>　<a href="{base}/">活頁簿</a></p>'
            "</main></body></html>")


def picker(base: str, as_of: date, agency: str | None, dates: Sequence[date],
           agencies: Sequence[tuple[str, str]], scope: Scope) -> str:
    day_opts = "".join(f'<option value="{d}"{" selected" if d == as_of else ""}>{d}</option>' for d in dates)
    opts = [("", "全市（所有機關）")] if scope.everything else []
    opts += [(c, f"{c} {n}".strip()) for c, n in agencies if scope.allows(c)]
    agency_opts = "".join(f'<option value="{escape(c)}"{" selected" if c == (agency or "") else ""}>{escape(t)}</option>'
                          for c, t in opts)
    return (f'<form class="pick" method="get" action="{base}/dashboard">'
            f'<label>資料基準日 <select name="date" id="date">{day_opts}</select></label>'
            f'<label>機關 <select name="agency" id="agency">{agency_opts}</select></label>'
            f'<button type="submit">顯示</button></form>')


def dashboard_page(base: str, scope: Scope, as_of: date, agency: str | None, dates: Sequence[date],
                   agencies: Sequence[tuple[str, str]], tiles: list, books: list[tuple[str, str]],
                   banner: str | None, problem: str | None, lines: Sequence = ()) -> str:
    body = [picker(base, as_of, agency, dates, agencies, scope)]
    if banner:
        body.append(f'<p class="banner" id="banner">{escape(banner)}（以下為 {as_of} 之夜間快照，不受影響）</p>')
    links = "　".join(f'<a href="{base}/download/{escape(rel)}" class="book">{escape(label)}</a>' for label, rel in books)
    body.append(f'<p class="books">活頁簿：{links or "（本日無可下載之活頁簿）"}</p>')
    if problem:
        body.append(f'<p class="banner" id="nodata">{escape(problem)}</p>')
    cards = []
    for t in tiles:
        def href(bar, key=t.key):
            return f"{base}/rows/{key}?{_q(date=as_of, agency=agency, value=bar.filter)}" if key in dashboard.ROWS else None
        chart = charts.clock_chart(t.clocks, lambda c, key=t.key: f"{base}/rows/{key}?{_q(date=as_of, agency=agency)}",
                                   dashboard.window()) if t.key == "incidents" else charts.bar_chart(t.bars, href)
        more = (f'<a class="all" href="{base}/rows/{t.key}?{_q(date=as_of, agency=agency)}">全部明細 →</a>'
                if t.key in dashboard.ROWS else "")
        note = f'<p class="note">{escape(t.note)}</p>' if t.note else ""
        cards.append(f'<section class="tile" id="tile-{t.key}"><h2>{escape(t.title)}</h2>'
                     f'<p class="headline">{escape(t.headline)}</p><p class="caption">{escape(t.caption)}</p>'
                     f'{chart}{note}{more}</section>')
    body.append(f'<div class="grid">{"".join(cards)}</div>')
    if lines:
        body.append(overview_table(base, as_of, lines))
    scope_name = "全市" if agency is None else agency
    return layout(base, f"個資治理儀表板｜{scope_name}｜{as_of}", "dashboard", scope, "".join(body))


def overview_table(base: str, as_of: date, lines: Sequence) -> str:
    """The committee's one line per agency, each count a link to that agency's dashboard."""
    head = "".join(f"<th>{escape(h)}</th>" for _, h, _, _ in dashboard.OVERVIEW)
    body = []
    for ln in lines:
        link = f"{base}/dashboard?{_q(date=as_of, agency=ln.code)}"
        cells = "".join(f'<td class="n">{ln.counts.get(k, "")}</td>' for k, _, _, _ in dashboard.OVERVIEW)
        body.append(f'<tr><td><a href="{escape(link)}">{escape(ln.code)}</a></td><td>{escape(ln.name)}</td>{cells}</tr>')
    return (f'<section class="overview"><h2>各機關概況</h2><table id="overview"><thead><tr><th>機關代碼</th>'
            f'<th>機關名稱</th>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></section>')


def rows_page(base: str, scope: Scope, title: str, sheet, rows: list[tuple], as_of: date, agency: str | None,
              value: str | None, limit: int, book: tuple[str, str] | None) -> str:
    key, levels = sheet.highlight or ("", {})
    at = [c.key for c in sheet.columns].index(key) if key else -1
    head = "".join(f"<th>{escape(c.heading)}</th>" for c in sheet.columns)
    body = []
    for r in rows:
        level = levels.get(r[at]) if at >= 0 else None
        # National IDs typed into free text are masked here as in the workbook (cell_value).
        cells = "".join(f"<td>{escape(_text(cell_value(c.show(v))))}</td>" for c, v in zip(sheet.columns, r, strict=False))
        body.append(f'<tr class="{level or ""}">{cells}</tr>')
    shown = next((c.show(value) for c in sheet.columns if c.labels and value in c.labels), value)
    more = f"（僅列前 {limit} 筆，完整資料請下載活頁簿）" if len(rows) >= limit else ""
    link = f'　<a href="{base}/download/{escape(book[1])}">{escape(book[0])}</a>' if book else ""
    back = f'<a href="{base}/dashboard?{_q(date=as_of, agency=agency)}">← 儀表板</a>'
    return layout(base, f"{title}｜{'全市' if agency is None else agency}｜{as_of}", "dashboard", scope,
                  f'<p>{back}{link}</p><p id="count">{escape(title)}{"：" + escape(str(shown)) if shown else ""}'
                  f" 共 {len(rows)} 筆{more}</p>"
                  f'<table id="rows"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


def workbooks_page(base: str, scope: Scope, books: list[dict], docs: bool) -> str:
    rows = "\n".join(
        f"<tr><td>{escape(b['run'])}</td><td>{escape(b['agency'])}</td>"
        f"<td><a href='{base}/download/{escape(b['path'])}'>{escape(Path(b['path']).name)}</a></td>"
        f"<td style='text-align:right'>{b['size']:,}</td><td>{b['modified']:%Y-%m-%d %H:%M}</td>"
        f"<td><code>{b['sha256']}</code></td></tr>"
        for b in books
    ) or "<tr><td colspan='6'>尚無可下載之活頁簿 (no workbooks yet)</td></tr>"
    docs_link = (f"<a href='{base}/docs/index.html'>dbt 資料血緣文件 (lineage docs)</a>" if docs
                 else "dbt 文件尚未產生 (no dbt docs yet)")
    return layout(base, "個資治理報表", "books", scope, f"""<p>{docs_link}</p>
<table id="books"><thead><tr><th>資料基準日</th><th>範圍</th><th>活頁簿</th><th>大小 (bytes)</th><th>產製時間</th><th>SHA-256</th></tr></thead>
<tbody>
{rows}
</tbody></table>
<p id="count">共 {len(books)} 個活頁簿</p>""")
