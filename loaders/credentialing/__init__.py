"""Credentialing domain: the eligibility, status-change and print exports and
their CLI verbs. Imports core and outbound, never another domain."""
