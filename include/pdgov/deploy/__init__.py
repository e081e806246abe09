"""Production deployment of pdgov: the settings docker/ mirrors, the committee-workbooks Asset, and the
warehouse fingerprint that shows a backfilled day changed nothing (the local harness of real Airflow
processes the deployment tests use is in tests/support/)."""
