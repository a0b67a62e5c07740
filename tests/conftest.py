import importlib.util

import pytest

pytest_plugins = ["tests.pg"]
if importlib.util.find_spec("tests.servers") is not None:
    pytest_plugins.append("tests.servers")


def pytest_collection_modifyitems(items):
    """Every test that uses a database is an integration test (CI runs them twice)."""
    for item in items:
        if {"db_url", "sql"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)
