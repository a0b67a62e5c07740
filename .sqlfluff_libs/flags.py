"""Stand-in for dbt's ``flags`` (sqlfluff's jinja templater only)."""

FULL_REFRESH = False  # sqlfluff stand-in for dbt flags
