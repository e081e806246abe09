"""Airflow UI plugin: 個資治理儀表板 (the dashboard) and 個資治理報表 (workbooks + dbt lineage docs).

Wiring only; the app lives in ``pdgov.ui.app``. Only logged-in users reach it (Airflow's auth), and
each sees the agencies ``pdgov.ui.access`` gives them.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from pdgov.ui.app import create_app


class PdgovUiPlugin(AirflowPlugin):
    name = "pdgov_ui"
    fastapi_apps = [{"app": create_app(), "url_prefix": "/pdgov", "name": "pdgov dashboard, workbooks and lineage"}]
    external_views = [{
        "name": "個資治理儀表板",
        "href": "/pdgov/dashboard",
        "destination": "nav",
        "category": "browse",
        "url_route": "pdgov-dashboard",
    }, {
        "name": "個資治理報表",
        "href": "/pdgov/",
        "destination": "nav",
        "category": "browse",
        "url_route": "pdgov",
    }]
