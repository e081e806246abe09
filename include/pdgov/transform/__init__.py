"""Running the dbt project: the models that turn staged sources into registers and audits."""
