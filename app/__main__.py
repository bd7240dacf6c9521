"""`python -m app`: serve the web app, configured only by the environment (no sandbox, no demo data)."""

from __future__ import annotations

import logging

from sanic import Sanic
from sanic.worker.loader import AppLoader

from app import create_app, logs
from app.settings import load_settings


def main() -> None:
    """Serve on HOST:PORT with WEB_CONCURRENCY processes (SQLite: one)."""
    settings = load_settings()
    logs.configure()
    workers = settings.web_concurrency
    if settings.is_sqlite and workers > 1:
        logging.getLogger("youzhan").warning("SQLite allows one writer: serving with 1 process, not %s", workers)
        workers = 1
    loader = AppLoader(factory=create_app)
    app = loader.load()
    app.prepare(host=settings.host, port=settings.port, workers=workers, access_log=False, motd=False,
                single_process=workers == 1)
    Sanic.serve(primary=app, app_loader=loader) if workers > 1 else Sanic.serve_single(primary=app)


if __name__ == "__main__":
    main()
