"""Shared rich consoles (stdout for results, stderr for logs and progress)."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def out_console():
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


@lru_cache(maxsize=1)
def err_console():
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)
