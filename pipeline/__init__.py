"""Turn Japanese municipal ICT/DX plan documents into Parquet tables.

Stages: ingest -> normalize -> segment -> extract -> emit. See README.md.
"""
__version__ = "0.1.0"
