"""Exit 0 when PostgreSQL and Redis answer on their local ports (scripts/test asks before the second run)."""

import socket
import sys

from tests.settings import PG_HOST, PG_PORT, REDIS_HOST, REDIS_PORT


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


if __name__ == "__main__":
    sys.exit(0 if reachable(PG_HOST, PG_PORT) and reachable(REDIS_HOST, REDIS_PORT) else 1)
