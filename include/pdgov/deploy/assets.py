"""Airflow assets pdgov produces, named once so producer and consumers agree.

The committee workbooks are what stewards and the data-protection officer wait for. When the
nightly DAG's export task declares ``outlets=[COMMITTEE_WORKBOOKS]``, any DAG scheduled on it
(``schedule=[COMMITTEE_WORKBOOKS]``) runs as soon as a new register exists — also after a
backfilled night — and the UI's asset view shows which run produced the latest one.
Light on purpose: DAG files import this at parse time.
"""

from __future__ import annotations

from airflow.sdk import Asset

COMMITTEE_WORKBOOKS = Asset(
    name="pdgov_committee_workbooks",
    uri="pdgov://exports/committee_workbooks",
    extra={"path": "$PDGOV_HOME/exports/<logical date>/", "files": "pdgov_全市_<date>.xlsx, agency/pdgov_<agency_code>_<date>.xlsx"},
)
