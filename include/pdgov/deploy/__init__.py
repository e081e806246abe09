"""Production deployment of pdgov: settings shared with docker/, and a local harness of real Airflow processes."""
