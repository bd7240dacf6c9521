"""Where the test suite finds PostgreSQL and Redis (override with YZ_TEST_PG_URL / YZ_TEST_REDIS_URL)."""

import os
from urllib.parse import urlparse

PG_URL = os.environ.get("YZ_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("YZ_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
PG_HOST, PG_PORT = urlparse(PG_URL).hostname, urlparse(PG_URL).port or 5432
REDIS_HOST, REDIS_PORT = urlparse(REDIS_URL).hostname, urlparse(REDIS_URL).port or 6379
