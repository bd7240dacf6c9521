"""The shared cache: Redis via redis.asyncio, or an embedded in-process stand-in when REDIS_URL is unset."""

from __future__ import annotations

from typing import Any

import redis.asyncio as redis


def create_cache(redis_url: str | None) -> Any:
    """A redis.asyncio client; fakeredis stands in (same API) for the single-process embedded default."""
    if redis_url:
        return redis.from_url(redis_url, decode_responses=True, health_check_interval=30)
    from fakeredis import FakeAsyncRedis

    return FakeAsyncRedis(decode_responses=True)
