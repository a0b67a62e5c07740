import importlib.util

pytest_plugins = ["tests.pg"]
if importlib.util.find_spec("tests.servers") is not None:
    pytest_plugins.append("tests.servers")
