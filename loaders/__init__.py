"""scorebridge loaders: Python moves bytes and records custody; every business
rule lives in the dbt models. The rooms, lowest first: core, landing, custody,
outbound, then the domains (credentialing, requests, placement) beside runs and
reporting, and devtools; the README's Layout section draws them."""
