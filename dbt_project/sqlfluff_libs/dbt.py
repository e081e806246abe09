"""dbt's cross-database macros for sqlfluff's jinja templater (`make lint`), rendered as dbt-duckdb does.

The jinja templater knows `ref`, `source`, `var` and `config` but not the `dbt` namespace: these
give it SQL of the same shape, so the linter sees the models as DuckDB runs them. Never used by dbt.
"""


def dateadd(datepart: str, interval: object, from_date_or_timestamp: str) -> str:
    return f"{from_date_or_timestamp} + ((interval '1 {datepart}') * ({interval}))"


def datediff(first_date: str, second_date: str, datepart: str) -> str:
    return f"date_diff('{datepart}', {first_date}, {second_date})"


def date_trunc(datepart: str, date: str) -> str:
    return f"date_trunc('{datepart}', {date})"


def last_day(date: str, datepart: str) -> str:
    return f"cast(date_trunc('{datepart}', {date}) + interval '1 {datepart}' - interval '1 day' as date)"


def concat(fields: list[str]) -> str:
    return " || ".join(fields)


def hash(field: str) -> str:  # noqa: A001  (dbt's name)
    return f"md5(cast({field} as varchar))"


def listagg(measure: str, delimiter_text: str = "','", order_by_clause: str | None = None,
            limit_num: int | None = None) -> str:
    return f"string_agg({measure}, {delimiter_text} {order_by_clause or ''})"
