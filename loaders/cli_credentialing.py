"""CLI verbs of the credentialing domain, registered on the main app by cli.py.

Keep this module cheap to import: typer only at the top, everything else
inside the command functions (`python cli.py --help` must stay fast).
"""

from __future__ import annotations

import typer


def register(app: typer.Typer, export_app: typer.Typer) -> None:
    """Adds this domain's commands to `app` and `export_app`."""
