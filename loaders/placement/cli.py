"""Placement has no CLI verb of its own: it records what each build applied."""

from __future__ import annotations

import typer

from loaders.core.dbt import after_build


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Records the applied holding rows after every build."""
    from loaders.placement.applied import record_applied

    after_build(record_applied)
