"""The test stack: the real processes (WeChat sandbox, web app, worker) on SQLite or PostgreSQL + Redis.

YZ_TEST_BACKEND=sqlite (default) or postgres. Tests talk HTTP to the app and the sandbox, and read the
database through tortoise in this process; they build data through the API, never by mocking our modules.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from tortoise import Tortoise

from app import devstack
from app.sandbox.client import SandboxClient
from app.sandbox.process import free_port
from app.settings import PROJECT_ROOT, load_settings, tortoise_config
from tests.settings import PG_URL, REDIS_URL

BACKEND = os.environ.get("YZ_TEST_BACKEND", "sqlite")
V2_KEY = "youzhanV2KeyForTests0123456789ab"


def pytest_collection_modifyitems(config, items):
    if BACKEND != "postgres":
        skip = pytest.mark.skip(reason="concurrency claims are proven on PostgreSQL (YZ_TEST_BACKEND=postgres)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@dataclass
class Stack:
    """A running stack and what tests need to reach it."""

    workdir: Path
    backend: str
    env: dict[str, str]
    api_url: str
    sandbox_url: str
    processes: list = field(default_factory=list)

    @property
    def database_url(self) -> str:
        return self.env["DATABASE_URL"]

    @property
    def platform_private_key(self) -> bytes:
        return (self.workdir / "sandbox" / "platform_private.pem").read_bytes()

    def settings(self):
        return load_settings(environ=self.env)

    def command(self, *args: str) -> subprocess.CompletedProcess:
        """Run a project command (python -m app.commands …) against this stack's database."""
        return subprocess.run([sys.executable, "-m", "app.commands", *args], env=self.env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=120)

    def log(self, name: str) -> str:
        path = self.workdir / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


async def _create_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_pg_database(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_URL.replace("postgres://", "postgresql://"))
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def _pg_url_for(name: str) -> str:
    base = PG_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


@pytest.fixture(scope="session")
def stack(tmp_path_factory) -> Stack:
    workdir = tmp_path_factory.mktemp("stack")
    env = dict(os.environ)
    env.update({
        "APP_ENV": "test",
        "DATA_DIR": str(workdir),
        "JWT_SECRET": secrets.token_urlsafe(48),
        "DATA_KEY": secrets.token_urlsafe(32),
        "WECHAT_PAY_V2_KEY": V2_KEY,
        "WORKER_INTERVAL_S": "0.1",
        "OUTBOX_RETRY_BASE_S": "0.05",
        "OUTBOX_MAX_ATTEMPTS": "4",
        "LOG_LEVEL": "WARNING",
    })
    pg_name = None
    if BACKEND == "postgres":
        pg_name = f"yz_test_{os.getpid()}_{secrets.token_hex(4)}"
        asyncio.run(_create_pg_database(pg_name))
        env["DATABASE_URL"] = _pg_url_for(pg_name)
        env["REDIS_URL"] = REDIS_URL
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
    else:
        env["DATABASE_URL"] = f"sqlite://{workdir / 'youzhan.sqlite3'}?busy_timeout=10000"
        env.pop("REDIS_URL", None)
    api_port, sandbox_port = free_port(), free_port()
    processes, env = devstack.start(data_dir=workdir, api_port=api_port, sandbox_port=sandbox_port,
                                    retry_scale=0.002, worker=True, env=env, log_dir=workdir / "logs")
    running = Stack(workdir=workdir, backend=BACKEND, env=env, api_url=f"http://127.0.0.1:{api_port}",
                    sandbox_url=f"http://127.0.0.1:{sandbox_port}", processes=processes)
    try:
        yield running
    finally:
        devstack.stop_all(processes)
        for name in ("web", "worker"):
            log = running.log(name)
            if "Traceback" in log:
                print(f"\n---- {name}.log has a traceback ----\n{log[-4000:]}", file=sys.stderr)
        if pg_name:
            asyncio.run(_drop_pg_database(pg_name))


@pytest_asyncio.fixture(scope="session")
async def db(stack):
    """tortoise in this process, on the stack's database, to look at what the app wrote."""
    await Tortoise.init(config=tortoise_config(stack.database_url), _enable_global_fallback=True)
    yield
    await Tortoise.close_connections()


@pytest_asyncio.fixture(scope="session")
async def api(stack):
    async with httpx.AsyncClient(base_url=stack.api_url, timeout=30.0) as client:
        yield client


@pytest_asyncio.fixture(scope="session")
async def sandbox(stack):
    client = SandboxClient(stack.sandbox_url)
    yield client
    await client.aclose()
