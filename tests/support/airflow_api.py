"""A small client for Airflow 3's REST API (``/api/v2``) as stewards and tests use it.

Airflow 3 authenticates API calls with a JWT: the simple auth manager issues one at
``POST /auth/token`` for a username and password. Only what pdgov needs is here: wait for the
server, see a DAG, unpause it, trigger a run, follow it to the end, and answer a human-in-the-loop
task (``/api/v2/dags/{dag}/dagRuns/{run}/taskInstances/{task}/{map_index}/hitlDetails``).
"""

from __future__ import annotations

import time
from typing import Any

import httpx

TERMINAL = {"success", "failed"}


class AirflowApi:
    def __init__(self, base_url: str, username: str, password: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.username = username
        self.password = password
        self._client = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._token: str | None = None

    def close(self) -> None:
        self._client.close()

    def wait_ready(self, timeout: float = 180, alive=lambda: None) -> None:
        """Wait until the API server answers its health endpoint; ``alive`` raises if a process died."""
        deadline = time.monotonic() + timeout
        while True:
            alive()
            try:
                if self._client.get("/api/v2/monitor/health").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"Airflow API at {self.base_url} not ready after {timeout}s")
            time.sleep(2)

    def token(self) -> str:
        r = self._client.post("/auth/token", json={"username": self.username, "password": self.password})
        r.raise_for_status()
        self._token = r.json()["access_token"]
        return self._token

    def _send(self, method: str, path: str, **kw: Any) -> httpx.Response:
        """One call; a GET that times out is asked again (twice): on a machine shared by many
        processes the api-server may answer one poll late, which must not fail a 40-minute wait.
        Other methods are not repeated: the first may have been applied."""
        for attempt in range(3):
            try:
                return self._client.request(method, path, headers={"Authorization": f"Bearer {self._token}"}, **kw)
            except httpx.TimeoutException:
                if method != "GET" or attempt == 2:
                    raise
                time.sleep(5)
        raise AssertionError("unreachable")

    def request(self, method: str, path: str, **kw: Any) -> Any:
        if self._token is None:
            self.token()
        r = self._send(method, path, **kw)
        if r.status_code == 401:  # token expired: one fresh try
            self.token()
            r = self._send(method, path, **kw)
        if r.status_code >= 400:
            raise RuntimeError(f"{method} {path}: HTTP {r.status_code}: {r.text[:1000]}")
        return r.json() if r.content else None

    def wait_dag(self, dag_id: str, timeout: float = 240, alive=lambda: None) -> dict:
        """Wait until the dag-processor has parsed ``dag_id`` into the metadata DB."""
        deadline = time.monotonic() + timeout
        while True:
            alive()
            try:
                return self.request("GET", f"/api/v2/dags/{dag_id}")
            except RuntimeError as e:
                if "HTTP 404" not in str(e):
                    raise
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{dag_id} not parsed after {timeout}s; "
                                       f"import errors: {self.import_errors()}") from e
            time.sleep(3)

    def import_errors(self) -> list[dict] | str:
        """What the dag-processor failed to import (the first thing to read when a DAG is missing)."""
        try:
            return self.request("GET", "/api/v2/importErrors")["import_errors"]
        except Exception as e:  # noqa: BLE001 - a diagnostic must not hide the original failure
            return f"(could not read import errors: {e})"

    def unpause(self, dag_id: str) -> dict:
        return self.request("PATCH", f"/api/v2/dags/{dag_id}", json={"is_paused": False})

    def trigger(self, dag_id: str, logical_date: str, conf: dict | None = None, run_id: str | None = None) -> dict:
        body: dict[str, Any] = {"logical_date": logical_date, "conf": conf or {}}
        if run_id:
            body["dag_run_id"] = run_id
        return self.request("POST", f"/api/v2/dags/{dag_id}/dagRuns", json=body)

    def dag_runs(self, dag_id: str) -> list[dict]:
        out = self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns", params={"limit": 100, "order_by": "logical_date"})
        return out["dag_runs"]

    def task_instances(self, dag_id: str, run_id: str) -> list[dict]:
        out = self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 500})
        return out["task_instances"]

    def wait_runs(self, dag_id: str, count: int, timeout: float, alive=lambda: None) -> list[dict]:
        """Wait until ``count`` runs of ``dag_id`` exist and all are finished; return them."""
        deadline = time.monotonic() + timeout
        while True:
            alive()
            try:
                runs = self.dag_runs(dag_id)
            except httpx.TimeoutException:
                # A busy api-server may miss one poll (seen at a load of 13 on two cores); the
                # deadline, not one slow answer, decides.
                if time.monotonic() > deadline:
                    raise
                continue
            if len(runs) >= count and all(r["state"] in TERMINAL for r in runs):
                return runs
            if time.monotonic() > deadline:
                states = {r["dag_run_id"]: r["state"] for r in runs}
                raise TimeoutError(f"{dag_id}: runs not finished after {timeout}s: {states}")
            time.sleep(3)

    def hitl_path(self, dag_id: str, run_id: str, task_id: str, map_index: int = -1) -> str:
        return f"/api/v2/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/{map_index}/hitlDetails"

    def hitl_detail(self, dag_id: str, run_id: str, task_id: str) -> dict:
        """The question a HITL task asks (subject, body, options, defaults) and its answer, if any."""
        return self.request("GET", self.hitl_path(dag_id, run_id, task_id))

    def hitl_respond(self, dag_id: str, run_id: str, task_id: str, options: list[str],
                     params_input: dict | None = None) -> dict:
        """Answer a HITL task as the logged-in user (what the Required Actions page does)."""
        return self.request("PATCH", self.hitl_path(dag_id, run_id, task_id),
                            json={"chosen_options": options, "params_input": params_input or {}})

    def wait_task_state(self, dag_id: str, run_id: str, task_id: str, states: set[str], timeout: float,
                        alive=lambda: None) -> dict:
        """Wait until one task instance of a run is in one of ``states``; fail early if the run ends."""
        deadline = time.monotonic() + timeout
        while True:
            alive()
            tis = {t["task_id"]: t for t in self.task_instances(dag_id, run_id)}
            ti = tis.get(task_id)
            if ti and ti["state"] in states:
                return ti
            run = self.request("GET", f"/api/v2/dags/{dag_id}/dagRuns/{run_id}")
            if run["state"] in TERMINAL or time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id}.{task_id} not in {states} (run {run['state']}): "
                                   f"{ {k: v['state'] for k, v in tis.items()} }")
            time.sleep(3)
