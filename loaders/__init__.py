"""scorebridge loaders: transports, custody, landing, exports. Python moves
bytes and records custody; every business rule lives in the dbt models."""
