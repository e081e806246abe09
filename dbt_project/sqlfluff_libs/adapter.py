"""`adapter.dispatch` for sqlfluff's jinja templater (`make lint`): the DuckDB (default__) renderings
of the project's dispatched macros in macros/pdgov_portable.sql. Keep the two in step. Never used by dbt.
"""

from collections.abc import Callable

_DEFAULT = {
    "pdgov_format_ts": lambda expr, fmt: f"strftime({expr}, '{fmt}')",
    "pdgov_regex_match": lambda expr, pattern: f"regexp_matches({expr}, '{pattern}')",
    "pdgov_split": lambda expr, sep: f"string_split({expr}, '{sep}')",
    "pdgov_closed_punches": lambda: ["raw.punches_closed"],
}


def dispatch(macro_name: str, macro_namespace: str | None = None) -> Callable[..., str]:
    return _DEFAULT[macro_name]
