"""The scheduled job and its verbs: fetch, load, build, run, the run log,
status and the summary email."""
