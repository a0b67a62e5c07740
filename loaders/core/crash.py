"""Fault injection for the custody tests: the fetch pipeline and landing call
crash_point at each step, and a test names the step to die at, like kill -9."""

from __future__ import annotations

import logging
import os
import signal

log = logging.getLogger(__name__)

CRASH_ENV = "SCOREBRIDGE_CRASH_AT"
CRASH_POINTS = ("after_download", "after_archive", "during_land", "after_land",
                "before_remove", "after_remove")


def crash_point(name: str) -> None:
    """Fault injection for the custody tests: die here like kill -9 would."""
    if os.environ.get(CRASH_ENV) == name:
        log.warning("crash point %s reached: killing the process", name)
        logging.shutdown()
        os.kill(os.getpid(), signal.SIGKILL)
