"""Airflow UI plugin: a 個資治理報表 page in the navigation (workbooks + dbt lineage docs).

Wiring only; the app lives in ``pdgov.ui.app``. Only logged-in users reach it (Airflow's auth).
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from pdgov.ui.app import create_app


class PdgovUiPlugin(AirflowPlugin):
    name = "pdgov_ui"
    fastapi_apps = [{"app": create_app(), "url_prefix": "/pdgov", "name": "pdgov workbooks and lineage"}]
    external_views = [{
        "name": "個資治理報表",
        "href": "/pdgov/",
        "destination": "nav",
        "category": "browse",
        "url_route": "pdgov",
    }]
