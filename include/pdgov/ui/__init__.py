"""The Airflow UI page: committee workbooks to download, and the dbt lineage docs."""
