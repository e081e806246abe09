"""A deprecated call in pdgov's own code fails the suite (pyproject.toml ``filterwarnings``), so the
next deprecation shows the day a library announces it, not the day it breaks the pipeline. Other
libraries' deprecations only warn: pdgov cannot fix them, and a few named modules are silenced."""

from __future__ import annotations

import pytest


def _run_as(module: str, code: str) -> None:
    """Run ``code`` as if it were the module ``module`` (warnings are attributed by module name)."""
    exec(compile(code, f"<{module}>", "exec"), {"__name__": module})


@pytest.mark.parametrize("module", ["pdgov.pipeline_probe", "pdgov.ingest.probe",
                                    # DAG files, as Airflow's DagBag imports them
                                    "unusual_prefix_0123456789abcdef_pdgov_nightly"])
def test_a_deprecated_call_in_pdgov_code_is_an_error(module):
    with pytest.raises(DeprecationWarning, match="old API"):
        _run_as(module, "import warnings\nwarnings.warn('old API', DeprecationWarning)")
    # Airflow 3 announces its moved names with a FutureWarning (DeprecatedImportWarning).
    with pytest.raises(FutureWarning, match="airflow.sdk.exceptions"):
        _run_as(module, "from airflow.exceptions import AirflowFailException")


def test_a_deprecation_raised_in_another_library_only_warns():
    with pytest.warns(DeprecationWarning, match="old API"):
        _run_as("some_library.module", "import warnings\nwarnings.warn('old API', DeprecationWarning)")
