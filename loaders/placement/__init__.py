"""Placement domain. Its rules are all dbt (marts/placement); the Python here
records, after each build, the holding rows the scores mart took in
(``applied.py``, table made by ``migrations/``)."""
