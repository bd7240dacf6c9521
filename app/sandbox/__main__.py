"""`python -m app.sandbox [--port 8001 ...]`: run the WeChat sandbox in the foreground."""

from __future__ import annotations

from app.sandbox.config import parse_config
from app.sandbox.server import run


def main(argv: list[str] | None = None) -> None:
    """Parse options and environment, then serve."""
    run(parse_config(argv))


if __name__ == "__main__":
    main()
