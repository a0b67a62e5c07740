"""Placement domain. Its rules are all dbt (marts/placement); the only piece
here is sql/placement.sql, the table the mart's post-hook writes."""
