"""Admissions score requests: the score-request and checklist update exports and
their CLI verb. Imports core and outbound, never another domain."""
