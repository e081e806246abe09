"""pdgov: personal-data governance pipeline for the agencies of the Taipei City Government."""

__version__ = "0.1.0"
