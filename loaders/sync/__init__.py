"""The two-way sync between a training provider's learner system (side A) and an
assessment platform (side B): the change files of `export sync --to a|b`
(docs/sync.md). The differences, creates and conflicts are dbt models
(models/*/sync); the settings are the configuration's `sync:` section."""
