"""Is the database reachable, is the cache reachable."""

from __future__ import annotations

from tortoise import connections


async def check(*, cache, backend: str) -> dict:
    """{"status": "ok" | "degraded", "database": …, "redis": …}."""
    report = {"status": "ok", "database": "ok", "redis": "ok",
              "database_backend": "postgresql" if backend.startswith("postgres") else "sqlite",
              "redis_backend": "embedded" if type(cache).__module__.startswith("fakeredis") else "redis"}
    try:
        await connections.get("default").execute_query("SELECT 1")
    except Exception as exc:  # any failure means "not serving"
        report["database"] = f"error: {type(exc).__name__}"
        report["status"] = "degraded"
    try:
        await cache.ping()
    except Exception as exc:
        report["redis"] = f"error: {type(exc).__name__}"
        report["status"] = "degraded"
    return report
