"""Logging of our own loggers (`youzhan.*`); Sanic configures its own."""

from __future__ import annotations

import logging
import os


def configure() -> None:
    """One handler on the `youzhan` logger, at LOG_LEVEL (default INFO); personal data is never logged."""
    logger = logging.getLogger("youzhan")
    if logger.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s[%(process)d]: %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())
    logger.propagate = False
