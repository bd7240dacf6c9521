"""Benchmark of the youzhan web app on PostgreSQL + Redis: `scripts/bench [--quick]`.

What it measures, in one run on one machine (so the ratios compare like with like):

1. notify  - signed WeChat Pay v3 payment notifications, one per created order, POSTed to the real web app
             (`python -m app`, started by app.devstack) by an httpx.AsyncClient with a bounded number in flight;
             every answer must be 204 and every order credited (ledger entries counted, `ledger-check` run).
2. asyncpg - the same SQL work as `orders.settle_payment` (one transaction per payment), written directly with
             asyncpg, no HTTP, same concurrency, a pool of the app's size (20): the limit the app is compared to.
3. home    - GET /api/me with valid access tokens of existing members, against the app and against a bare
             Sanic app answering a constant JSON of the same shape (`--bare-sanic-server PORT`), same load
             generator (wrk with a Lua script when installed, else httpx).
4. memory  - the web process's resident memory (with children), sampled with psutil during the loads.

Rounds of notify/asyncpg and of bare/home are interleaved so that noise from other work on the machine hits
both sides of each ratio alike; the per-second figures are medians over rounds, p99 is over all timed requests.
Bodies are built and signed before each timed round (RSA signing does not count).
Everything it starts is stopped and its database dropped, on failure and on Ctrl-C too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
REDIS_URL = "redis://127.0.0.1:6379/8"
APP_POOL_SIZE = 20  # app/settings.py tortoise_config: minsize=1&maxsize=20


# --------------------------------------------------------------------------------------------------------------
# The bare Sanic app: the ceiling of "Sanic + JSON" on this machine, started like the real one.
# --------------------------------------------------------------------------------------------------------------

BARE_MEMBER = {
    "member": {
        "id": 123456, "points_balance": 1234, "tier": "standard", "tier_name": "普通会员", "growth_value": 0,
        "joined_via": "payment", "joined_at": "2026-01-01T08:00:00.123456+00:00", "phone": None,
        "referral_code": "ABCD2345",
    },
    "openid": "oBENCH000000000000000000000001",
}


def bare_sanic_server(port: int) -> None:
    """A single-process Sanic app, access log off, answering a constant member JSON (and a 204 POST)."""
    from sanic import Sanic
    from sanic.response import empty, json as json_response

    app = Sanic("bare_bench")
    app.config.update(KEEP_ALIVE_TIMEOUT=75, REQUEST_MAX_SIZE=1_000_000)

    @app.get("/api/me")
    async def me(request):
        return json_response(BARE_MEMBER)

    @app.post("/api/wechat/pay/notify")
    async def notify(request):
        return empty(status=204)

    @app.get("/api/health")
    async def health(request):
        return json_response({"ok": True})

    app.prepare(host="127.0.0.1", port=port, workers=1, access_log=False, motd=False, single_process=True)
    Sanic.serve_single(primary=app)


# --------------------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------------------

def run_async(coro):
    """Run a coroutine on uvloop when available (the app runs on uvloop too)."""
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:
        return asyncio.run(coro)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def wait_http(url: str, process: subprocess.Popen, timeout: float = 20.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


# --------------------------------------------------------------------------------------------------------------
# Resource meters: peak RSS of the web process, CPU split between web app, PostgreSQL, generator and the rest
# --------------------------------------------------------------------------------------------------------------

class RssSampler(threading.Thread):
    """Samples the RSS of a process and its children every 50 ms; keeps the peak while `active`."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.active = False
        self.peak_loaded = 0
        self.last = 0
        self._stop = threading.Event()

    def rss(self) -> int:
        import psutil

        total = 0
        try:
            total = self.process.memory_info().rss
            for child in self.process.children(recursive=True):
                try:
                    total += child.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        return total

    def run(self) -> None:
        while not self._stop.wait(self.interval):
            value = self.rss()
            self.last = value
            if self.active:
                self.peak_loaded = max(self.peak_loaded, value)

    def stop(self) -> None:
        self._stop.set()


class CpuMeter:
    """CPU seconds used during a phase by: the web app, this database's PostgreSQL backends, the load generator
    (this process and its waited children, e.g. wrk), a server under test given by pid, and everything else."""

    def __init__(self, dbname: str):
        import psutil

        self.psutil = psutil
        self.dbname = dbname
        self.pids: dict[str, int | None] = {"web": None, "bare": None}

    def _proc_cpu(self, pid: int | None) -> float:
        if pid is None:
            return 0.0
        try:
            t = self.psutil.Process(pid).cpu_times()
            return t.user + t.system
        except self.psutil.Error:
            return 0.0

    def _pg(self) -> dict[int, float]:
        out = {}
        for p in self.psutil.process_iter(["name", "cmdline"]):
            try:
                if p.info["name"] != "postgres" and not (p.info["cmdline"] or [""])[0].startswith("postgres"):
                    continue
                cmd = " ".join(p.info["cmdline"] or [])
                if f" {self.dbname} " in cmd:
                    t = p.cpu_times()
                    out[p.pid] = t.user + t.system
            except self.psutil.Error:
                pass
        return out

    def snapshot(self) -> dict:
        me = self.psutil.Process().cpu_times()
        total = self.psutil.cpu_times()
        busy = sum(total) - total.idle - getattr(total, "iowait", 0.0)
        return {
            "t": time.monotonic(), "busy": busy, "web": self._proc_cpu(self.pids["web"]),
            "bare": self._proc_cpu(self.pids["bare"]), "pg": self._pg(),
            "gen": me.user + me.system + me.children_user + me.children_system,
        }

    @staticmethod
    def split(a: dict, b: dict) -> dict[str, float]:
        """Percent of one core (2 cores = 200 %) per consumer between two snapshots."""
        wall = max(1e-9, b["t"] - a["t"])
        pg = sum(v - a["pg"].get(pid, 0.0) for pid, v in b["pg"].items())
        parts = {"web": b["web"] - a["web"], "bare": b["bare"] - a["bare"], "postgres": pg, "generator": b["gen"] - a["gen"]}
        parts["other"] = max(0.0, (b["busy"] - a["busy"]) - sum(parts.values()))
        return {k: 100 * v / wall for k, v in parts.items()}


def fmt_cpu(split: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.0f}%" for k, v in split.items() if v >= 0.5 or k in ("web", "postgres", "generator"))


# --------------------------------------------------------------------------------------------------------------
# Orders, notifications and the asyncpg mirror of settle_payment
# --------------------------------------------------------------------------------------------------------------

@dataclass
class BenchOrder:
    out_trade_no: str
    openid: str
    station_id: int
    grade: str
    price: int
    amount_fen: int


@dataclass
class Fixture:
    stations: dict[int, str] = field(default_factory=dict)  # id -> name
    prices: list[tuple[int, str, int]] = field(default_factory=list)  # (station_id, grade, price)


class OrderFactory:
    def __init__(self, fixture: Fixture, tag: str):
        self.fixture = fixture
        self.tag = tag
        self.counter = 0
        self.rng = random.Random(20260101)

    def make(self, n: int) -> list[BenchOrder]:
        out = []
        for _ in range(n):
            self.counter += 1
            station_id, grade, price = self.rng.choice(self.fixture.prices)
            out.append(BenchOrder(
                out_trade_no=f"BN{self.tag}{self.counter:010d}",  # 2 + 8 + 10 = 20 <= 32
                openid=f"oBENCH{self.tag}{self.counter:012d}",
                station_id=station_id, grade=grade, price=price, amount_fen=self.rng.randrange(5_000, 60_000),
            ))
        return out


ORDER_COLUMNS = ["out_trade_no", "openid", "station_id", "pump_no", "grade", "category", "price_fen_per_litre",
                 "litres_milli", "amount_fen", "discount_fen", "payable_fen", "points_used", "points_earned",
                 "status", "created_at"]


async def insert_orders(dsn: str, orders: list[BenchOrder]) -> None:
    """Created orders straight into the table (COPY), as POST /api/orders would leave them before prepay."""
    import asyncpg

    now = datetime.now(UTC)
    records = [
        (o.out_trade_no, o.openid, o.station_id, 1, o.grade, "fuel", o.price, round(o.amount_fen * 1000 / o.price),
         o.amount_fen, 0, o.amount_fen, 0, 0, "created", now)
        for o in orders
    ]
    con = await asyncpg.connect(dsn)
    try:
        await con.copy_records_to_table("orders", records=records, columns=ORDER_COLUMNS)
    finally:
        await con.close()


def sign_notifications(orders: list[BenchOrder], platform_private_pem: bytes) -> list[tuple[bytes, dict]]:
    from app.sandbox.wechatpay import build_transaction_notification, notification_headers
    from app.settings import SANDBOX_APIV3_KEY, SANDBOX_APPID, SANDBOX_MCHID, SANDBOX_PUBLIC_KEY_ID

    out = []
    for o in orders:
        body = build_transaction_notification(apiv3_key=SANDBOX_APIV3_KEY, appid=SANDBOX_APPID, mchid=SANDBOX_MCHID,
                                              out_trade_no=o.out_trade_no, total=o.amount_fen, openid=o.openid)
        out.append((body.encode("utf-8"), notification_headers(platform_private_pem, SANDBOX_PUBLIC_KEY_ID, body)))
    return out


REFERRAL_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"

SQL_MARK_PAID = """
UPDATE orders SET status = 'paid', transaction_id = $2, paid_at = $3, paid_via = 'notify'
 WHERE out_trade_no = $1 AND status IN ('created', 'closed')
RETURNING id, openid, payable_fen, grade, station_id"""
SQL_MEMBER = """
INSERT INTO members (openid, tier, growth_value, points_balance, referral_code, joined_via, joined_at)
VALUES ($1, 'standard', 0, 0, $2, 'payment', $3) ON CONFLICT (openid) DO NOTHING"""
SQL_LOCK = "SELECT id, points_balance FROM members WHERE openid = $1 FOR UPDATE"
SQL_ENTRY = """
INSERT INTO ledger_entries (member_id, kind, delta, balance_after, source_type, source_id, idempotency_key, reason,
                            explanation, created_at)
VALUES ($1, 'earn', $2, $3, 'order', $4, $5, $6, $7, $8) RETURNING id"""
SQL_BALANCE = "UPDATE members SET points_balance = $2 WHERE id = $1"
SQL_LOT = """
INSERT INTO point_lots (member_id, entry_id, original, remaining, expires_at, created_at)
VALUES ($1, $2, $3, $3, $4, $5)"""
SQL_ORDER_MEMBER = "UPDATE orders SET member_id = $2, points_earned = $3 WHERE id = $1"
SQL_SPEND_GRANT = """
UPDATE subscribe_grants SET available = available - 1
 WHERE openid = $1 AND template_id = $2 AND available > 0"""
SQL_OUTBOX = """
INSERT INTO outbox_messages (kind, dedupe_key, payload, status, attempts, max_attempts, next_attempt_at, last_error,
                             created_at)
VALUES ('subscribe_message', $1, $2, $3, 0, 8, $4, $5, $4)"""


async def credit_direct(pool, order: BenchOrder, station_names: dict[int, str], template_id: str) -> bool:
    """settle_payment's writes, directly: one transaction, 10 statements (station names cached)."""
    from app.sandbox.wechatpay import new_transaction_id
    from app.services.rules import expiry_for

    now = datetime.now(UTC)
    async with pool.acquire() as con, con.transaction():
        row = await con.fetchrow(SQL_MARK_PAID, order.out_trade_no, new_transaction_id(), now)
        if row is None:
            return False
        order_id, openid, payable, grade, station_id = row
        referral = "".join(secrets.choice(REFERRAL_ALPHABET) for _ in range(8))
        await con.execute(SQL_MEMBER, openid, referral, now)
        member_id, balance = await con.fetchrow(SQL_LOCK, openid)
        points = payable // 100
        balance += points
        explanation = json.dumps({"rule": "base", "grade": grade, "paid_fen": payable, "per_yuan": 1},
                                 separators=(",", ":"))
        entry_id = await con.fetchval(SQL_ENTRY, member_id, points, balance, order.out_trade_no,
                                      f"order:{order.out_trade_no}:earn", f"加油消费 {station_names[station_id]} {grade}",
                                      explanation, now)
        await con.execute(SQL_BALANCE, member_id, balance)
        await con.execute(SQL_LOT, member_id, entry_id, points, expiry_for(now, 24), now)
        await con.execute(SQL_ORDER_MEMBER, order_id, member_id, points)
        spent = await con.execute(SQL_SPEND_GRANT, openid, template_id)
        payload = json.dumps({"template": "points_credited", "template_id": template_id, "openid": openid,
                              "values": {"out_trade_no": order.out_trade_no, "paid_fen": payable, "points": points,
                                         "balance": balance, "station_name": station_names[station_id],
                                         "paid_at": now.isoformat()}},
                             ensure_ascii=False, separators=(",", ":"))
        granted = spent.endswith(" 1")
        await con.execute(SQL_OUTBOX, f"order:{order.out_trade_no}:points_credited", payload,
                          "pending" if granted else "skipped", now,
                          None if granted else f"no subscribe grant for template {template_id}: nothing sent")
    return True


# --------------------------------------------------------------------------------------------------------------
# Load generators
# --------------------------------------------------------------------------------------------------------------

@dataclass
class LoadResult:
    count: int
    seconds: float
    latencies: list[float]
    statuses: Counter
    errors: int = 0

    @property
    def per_s(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


async def httpx_post_load(url: str, warmup: list[tuple[bytes, dict]], items: list[tuple[bytes, dict]],
                          concurrency: int, meter: CpuMeter | None = None, sampler: RssSampler | None = None,
                          duration: float | None = None) -> tuple[LoadResult, dict | None]:
    """POST each item once (or cycle through them for `duration` seconds), `concurrency` in flight."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=httpx.Timeout(60.0)) as client:
        async def drive(batch, record: bool, deadline: float | None):
            latencies: list[float] = []
            statuses: Counter = Counter()
            if deadline is None:
                source = iter(batch)
            else:
                def cycle():
                    while time.monotonic() < deadline:
                        yield from batch
                source = cycle()

            async def worker():
                for body, headers in source:
                    if deadline is not None and time.monotonic() >= deadline:
                        return
                    t0 = time.perf_counter()
                    response = await client.post(url, content=body, headers=headers)
                    latencies.append(time.perf_counter() - t0)
                    statuses[response.status_code] += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return latencies, statuses

        if warmup:
            _, warm_statuses = await drive(warmup, False, None)
            if set(warm_statuses) - {204}:
                raise RuntimeError(f"warm-up answers: {dict(warm_statuses)}")
        before = meter.snapshot() if meter else None
        if sampler:
            sampler.active = True
        t0 = time.perf_counter()
        latencies, statuses = await drive(items, True, None if duration is None else time.monotonic() + duration)
        seconds = time.perf_counter() - t0
        if sampler:
            sampler.active = False
        split = CpuMeter.split(before, meter.snapshot()) if meter else None
    return LoadResult(len(latencies), seconds, latencies, statuses), split


WRK_LUA = r"""
local tokens = {}
local i = 0
init = function(args)
  for line in io.lines(args[1]) do tokens[#tokens + 1] = line end
end
request = function()
  i = i % #tokens + 1
  return wrk.format("GET", nil, {["Authorization"] = "Bearer " .. tokens[i]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"status":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
    '"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


class HomeLoad:
    """GET /api/me with rotating bearer tokens: wrk (+ Lua) when installed, else httpx."""

    def __init__(self, workdir: Path, tokens: list[str], concurrency: int):
        self.tokens = tokens
        self.concurrency = concurrency
        self.wrk = shutil.which("wrk")
        self.script = workdir / "home.lua"
        self.script.write_text(WRK_LUA)
        self.tokens_file = workdir / "tokens.txt"
        self.tokens_file.write_text("\n".join(tokens) + "\n")

    @property
    def name(self) -> str:
        if self.wrk:
            version = subprocess.run([self.wrk, "--version"], capture_output=True, text=True).stdout.split()[:2]
            return " ".join(version) + f" -t1 -c{self.concurrency}"
        return f"httpx.AsyncClient ({self.concurrency} in flight; wrk not installed)"

    def run(self, base: str, seconds: float, meter: CpuMeter, sampler: RssSampler | None) -> tuple[LoadResult, dict]:
        url = f"{base}/api/me"
        before = meter.snapshot()
        if sampler:
            sampler.active = True
        try:
            if self.wrk:
                result = self._wrk(url, seconds)
            else:
                result = run_async(self._httpx(url, seconds))
        finally:
            if sampler:
                sampler.active = False
        return result, CpuMeter.split(before, meter.snapshot())

    def _wrk(self, url: str, seconds: float) -> LoadResult:
        cmd = [self.wrk, "-t1", f"-c{self.concurrency}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(self.script), url, "--", str(self.tokens_file)]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
        line = next((ln for ln in out.stdout.splitlines() if ln.startswith("WRK_RESULT ")), None)
        if out.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed ({out.returncode}): {out.stdout[-500:]} {out.stderr[-500:]}")
        data = json.loads(line.removeprefix("WRK_RESULT "))
        errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
        result = LoadResult(data["requests"], data["duration_us"] / 1e6, [], Counter(), errors)
        result.statuses["non-2xx"] = data["status"]
        result.p50_ms, result.p99_ms = data["p50_us"] / 1000, data["p99_us"] / 1000  # type: ignore[attr-defined]
        return result

    async def _httpx(self, url: str, seconds: float) -> LoadResult:
        import httpx

        limits = httpx.Limits(max_connections=self.concurrency, max_keepalive_connections=self.concurrency)
        latencies: list[float] = []
        statuses: Counter = Counter()
        async with httpx.AsyncClient(limits=limits, timeout=10.0) as client:
            deadline = time.monotonic() + seconds
            counter = iter(range(10**12))

            async def worker():
                while time.monotonic() < deadline:
                    token = self.tokens[next(counter) % len(self.tokens)]
                    t0 = time.perf_counter()
                    r = await client.get(url, headers={"Authorization": f"Bearer {token}"})
                    latencies.append(time.perf_counter() - t0)
                    statuses[r.status_code if r.status_code != 200 else 200] += 1

            t0 = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(self.concurrency)))
            elapsed = time.perf_counter() - t0
        result = LoadResult(len(latencies), elapsed, latencies, statuses)
        result.statuses["non-2xx"] = sum(v for k, v in statuses.items() if k != 200)
        result.p50_ms, result.p99_ms = pct(latencies, 50) * 1000, pct(latencies, 99) * 1000  # type: ignore[attr-defined]
        return result


# --------------------------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------------------------

@dataclass
class Plan:
    rounds: int
    notify_n: int
    direct_n: int
    home_s: float
    warmup_n: int
    gen_probe_s: float
    concurrency: int
    home_concurrency: int


PLANS = {
    "quick": Plan(rounds=1, notify_n=600, direct_n=600, home_s=4, warmup_n=64, gen_probe_s=1.5, concurrency=32,
                  home_concurrency=32),
    "full": Plan(rounds=3, notify_n=3000, direct_n=3000, home_s=12, warmup_n=64, gen_probe_s=3, concurrency=32,
                 home_concurrency=32),
}


class Bench:
    def __init__(self, plan: Plan, mode: str):
        self.plan = plan
        self.mode = mode
        self.tag = time.strftime("%d%H%M%S")
        self.dbname = f"youzhan_bench_{os.getpid()}_{self.tag}"
        self.dsn = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{self.dbname}"
        self.workdir = Path(tempfile.mkdtemp(prefix="youzhan-bench-"))
        self.processes: list[subprocess.Popen] = []
        self.bare: subprocess.Popen | None = None
        self.db_created = False
        self.sampler: RssSampler | None = None
        self.figures: dict[str, float | str] = {}
        self.notes: list[str] = []

    # --- set-up / tear-down ---------------------------------------------------------------------------------
    async def _admin(self, sql: str) -> None:
        import asyncpg

        con = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, database="postgres")
        try:
            await con.execute(sql)
        finally:
            await con.close()

    def start(self) -> None:
        from app import devstack

        run_async(self._admin(f'CREATE DATABASE "{self.dbname}"'))
        self.db_created = True
        self.jwt_secret = secrets.token_urlsafe(48)
        env = dict(os.environ)
        env.update({
            "DATABASE_URL": self.dsn, "REDIS_URL": REDIS_URL, "JWT_SECRET": self.jwt_secret,
            "DATA_KEY": secrets.token_urlsafe(32), "DATA_DIR": str(self.workdir / "data"),
        })
        self.api_port, sandbox_port, self.bare_port = free_port(), free_port(), free_port()
        t0 = time.monotonic()
        self.processes, self.env = devstack.start(
            data_dir=self.workdir / "data", api_port=self.api_port, sandbox_port=sandbox_port, retry_scale=0.05,
            worker=False, env=env, quiet=True,
        )
        self.web = self.processes[1]
        self.api = f"http://127.0.0.1:{self.api_port}"
        self.platform_pem = (self.workdir / "data" / "sandbox" / "platform_private.pem").read_bytes()
        log(f"stack up in {time.monotonic() - t0:.1f} s (db {self.dbname}, web pid {self.web.pid})")
        self.bare = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--bare-sanic-server",
                                      str(self.bare_port)], cwd=ROOT, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        wait_http(f"http://127.0.0.1:{self.bare_port}/api/health", self.bare)
        self.meter = CpuMeter(self.dbname)
        self.meter.pids.update(web=self.web.pid, bare=self.bare.pid)
        self.sampler = RssSampler(self.web.pid)
        self.sampler.start()
        time.sleep(0.2)
        self.figures["web_rss_idle_mb"] = self.sampler.rss() / 2**20

    def stop(self) -> None:
        from app import devstack

        if self.sampler:
            self.sampler.stop()
        if self.bare and self.bare.poll() is None:
            self.bare.terminate()
            try:
                self.bare.wait(10)
            except subprocess.TimeoutExpired:
                self.bare.kill()
        if self.processes:
            devstack.stop_all(self.processes)
        if self.db_created:
            try:
                run_async(self._admin(f'DROP DATABASE IF EXISTS "{self.dbname}" WITH (FORCE)'))
            except Exception as exc:  # noqa: BLE001 - report, do not mask the original failure
                log(f"could not drop database {self.dbname}: {exc}")
        shutil.rmtree(self.workdir, ignore_errors=True)

    # --- fixtures --------------------------------------------------------------------------------------------
    async def _fixture(self) -> Fixture:
        import asyncpg

        con = await asyncpg.connect(self.dsn)
        try:
            fixture = Fixture()
            for row in await con.fetch("SELECT id, name FROM stations WHERE active ORDER BY id"):
                fixture.stations[row["id"]] = row["name"]
            for row in await con.fetch("SELECT station_id, grade, price_fen_per_litre FROM station_grades"):
                fixture.prices.append((row[0], row[1], row[2]))
        finally:
            await con.close()
        if not fixture.prices:
            raise RuntimeError("no seeded stations: did seed-demo run?")
        return fixture

    # --- phases ----------------------------------------------------------------------------------------------
    def notify_round(self, factory: OrderFactory) -> tuple[LoadResult, dict]:
        p = self.plan
        warm, timed = factory.make(p.warmup_n), factory.make(p.notify_n)
        run_async(insert_orders(self.dsn, warm + timed))
        warm_items = sign_notifications(warm, self.platform_pem)
        items = sign_notifications(timed, self.platform_pem)
        result, split = run_async(httpx_post_load(f"{self.api}/api/wechat/pay/notify", warm_items, items,
                                                  p.concurrency, self.meter, self.sampler))
        self.notified.extend(warm + timed)
        self.timed_notified.extend(timed)
        if set(result.statuses) != {204}:
            raise RuntimeError(f"notify answers were not all 204: {dict(result.statuses)}")
        return result, split

    def direct_round(self, factory: OrderFactory, fixture: Fixture) -> tuple[LoadResult, dict]:
        p = self.plan
        warm, timed = factory.make(p.warmup_n), factory.make(p.direct_n)
        run_async(insert_orders(self.dsn, warm + timed))
        template = self.env.get("WECHAT_TEMPLATE_POINTS_CREDITED") or "TPL_POINTS_CREDITED_SANDBOX"

        async def go():
            import asyncpg

            pool = await asyncpg.create_pool(self.dsn, min_size=APP_POOL_SIZE, max_size=APP_POOL_SIZE)
            try:
                async def drive(batch):
                    source = iter(batch)
                    latencies: list[float] = []

                    async def worker():
                        for order in source:
                            t0 = time.perf_counter()
                            if not await credit_direct(pool, order, fixture.stations, template):
                                raise RuntimeError(f"order {order.out_trade_no} was not credited")
                            latencies.append(time.perf_counter() - t0)

                    await asyncio.gather(*(worker() for _ in range(p.concurrency)))
                    return latencies

                await drive(warm)
                before = self.meter.snapshot()
                t0 = time.perf_counter()
                latencies = await drive(timed)
                seconds = time.perf_counter() - t0
                split = CpuMeter.split(before, self.meter.snapshot())
            finally:
                await pool.close()
            return LoadResult(len(latencies), seconds, latencies, Counter({"ok": len(latencies)})), split

        result, split = run_async(go())
        self.direct.extend(warm + timed)
        return result, split

    def generator_probe(self, factory_orders: list[BenchOrder]) -> tuple[LoadResult, dict]:
        """The notify generator alone: same client, same bodies, against the bare app's 204 endpoint."""
        items = sign_notifications(factory_orders, self.platform_pem)
        return run_async(httpx_post_load(f"http://127.0.0.1:{self.bare_port}/api/wechat/pay/notify", items[:64],
                                         items, self.plan.concurrency, self.meter, None,
                                         duration=self.plan.gen_probe_s))

    async def _verify_credits(self) -> dict:
        import asyncpg

        con = await asyncpg.connect(self.dsn)
        try:
            all_nos = [o.out_trade_no for o in self.notified + self.direct]
            timed_nos = [o.out_trade_no for o in self.timed_notified]
            return {
                "timed_entries": await con.fetchval(
                    "SELECT count(*) FROM ledger_entries WHERE source_type = 'order' AND source_id = ANY($1)",
                    timed_nos),
                "timed_paid": await con.fetchval(
                    "SELECT count(*) FROM orders WHERE status = 'paid' AND member_id IS NOT NULL "
                    "AND out_trade_no = ANY($1)", timed_nos),
                "entries": await con.fetchval("SELECT count(*) FROM ledger_entries"),
                "all_orders": len(all_nos),
                "members": await con.fetchval("SELECT count(*) FROM members"),
                "outbox": await con.fetchval("SELECT count(*) FROM outbox_messages"),
            }
        finally:
            await con.close()

    def ledger_check(self) -> None:
        out = subprocess.run([sys.executable, "-m", "app.commands", "ledger-check"], env=self.env, cwd=ROOT,
                             capture_output=True, text=True, timeout=300)
        last = (out.stdout.strip().splitlines() or ["(no output)"])[-1]
        log(f"ledger-check exit {out.returncode}: {last}")
        self.figures["ledger_check_exit"] = out.returncode
        if out.returncode != 0:
            raise RuntimeError(f"ledger-check failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")

    def home_tokens(self, n: int) -> list[str]:
        from app.security import issue_token

        openids = [o.openid for o in self.timed_notified[:n]]
        return [issue_token(self.jwt_secret, openid=openid, kind="access", ttl_s=3600)[0] for openid in openids]

    def check_home_once(self, token: str) -> None:
        import httpx

        r = httpx.get(f"{self.api}/api/me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        if r.status_code != 200 or not (r.json().get("member") or {}).get("points_balance"):
            raise RuntimeError(f"GET /api/me did not show a credited member: {r.status_code} {r.text[:300]}")

    # --- the whole run ---------------------------------------------------------------------------------------
    def run(self) -> None:
        p = self.plan
        t_start = time.monotonic()
        self.start()
        fixture = run_async(self._fixture())
        factory = OrderFactory(fixture, self.tag)
        self.notified: list[BenchOrder] = []
        self.timed_notified: list[BenchOrder] = []
        self.direct: list[BenchOrder] = []
        self.notes.append(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

        notify_results, direct_results = [], []
        for r in range(p.rounds):
            res, split = self.notify_round(factory)
            notify_results.append(res)
            log(f"round {r + 1}/{p.rounds} notify: {res.count} in {res.seconds:.2f} s = {res.per_s:.0f}/s, "
                f"p99 {pct(res.latencies, 99) * 1000:.1f} ms; cpu: {fmt_cpu(split)}")
            self.notes.append(f"notify round {r + 1}: {res.per_s:.0f}/s; cpu {fmt_cpu(split)}")
            res, split = self.direct_round(factory, fixture)
            direct_results.append(res)
            log(f"round {r + 1}/{p.rounds} asyncpg: {res.count} in {res.seconds:.2f} s = {res.per_s:.0f}/s, "
                f"p99 {pct(res.latencies, 99) * 1000:.1f} ms; cpu: {fmt_cpu(split)}")
            self.notes.append(f"asyncpg round {r + 1}: {res.per_s:.0f}/s; cpu {fmt_cpu(split)}")

        probe, split = self.generator_probe(factory.make(256))
        log(f"notify generator alone (httpx -> bare Sanic 204): {probe.per_s:.0f}/s; cpu: {fmt_cpu(split)}")
        self.figures["notify_generator_alone_per_s"] = probe.per_s
        self.notes.append(f"httpx generator alone: {probe.per_s:.0f}/s; cpu {fmt_cpu(split)}")

        counts = run_async(self._verify_credits())
        log(f"credits: {counts}")
        expected = len(self.timed_notified)
        if counts["timed_entries"] != expected or counts["timed_paid"] != expected:
            raise RuntimeError(f"{expected} notifications answered 204 but {counts['timed_entries']} ledger entries "
                               f"and {counts['timed_paid']} paid orders")
        if counts["entries"] != counts["all_orders"]:
            raise RuntimeError(f"{counts['all_orders']} orders settled but {counts['entries']} ledger entries")
        self.figures["notify_credited"] = counts["timed_entries"]
        self.ledger_check()

        # home: bare and app interleaved, same generator, same tokens
        tokens = self.home_tokens(2000)
        self.check_home_once(tokens[0])
        home = HomeLoad(self.workdir, tokens, p.home_concurrency)
        self.figures["home_load_generator"] = home.name
        home.run(f"http://127.0.0.1:{self.bare_port}", 1, self.meter, None)  # warm-up
        home.run(self.api, 2, self.meter, self.sampler)
        bare_results, home_results = [], []
        for r in range(p.rounds):
            for label, base, bucket, sampler in (("bare", f"http://127.0.0.1:{self.bare_port}", bare_results, None),
                                                 ("home", self.api, home_results, self.sampler)):
                res, split = home.run(base, p.home_s, self.meter, sampler)
                if res.errors or res.statuses.get("non-2xx"):
                    raise RuntimeError(f"{label}: {res.errors} socket errors, {res.statuses['non-2xx']} non-2xx")
                bucket.append(res)
                log(f"round {r + 1}/{p.rounds} {label}: {res.per_s:.0f}/s, p99 {res.p99_ms:.1f} ms; "
                    f"cpu: {fmt_cpu(split)}")
                self.notes.append(f"{label} round {r + 1}: {res.per_s:.0f}/s; cpu {fmt_cpu(split)}")

        all_latencies = [x for res in notify_results for x in res.latencies]
        f = self.figures
        f["notify_per_s"] = statistics.median(r.per_s for r in notify_results)
        f["notify_p50_ms"] = pct(all_latencies, 50) * 1000
        f["notify_p99_ms"] = pct(all_latencies, 99) * 1000
        f["asyncpg_credit_per_s"] = statistics.median(r.per_s for r in direct_results)
        f["asyncpg_p99_ms"] = pct([x for res in direct_results for x in res.latencies], 99) * 1000
        f["notify_vs_asyncpg"] = f["notify_per_s"] / f["asyncpg_credit_per_s"]
        f["home_per_s"] = statistics.median(r.per_s for r in home_results)
        f["home_p99_ms"] = statistics.median(r.p99_ms for r in home_results)
        f["bare_sanic_per_s"] = statistics.median(r.per_s for r in bare_results)
        f["bare_sanic_p99_ms"] = statistics.median(r.p99_ms for r in bare_results)
        f["home_vs_bare_sanic"] = f["home_per_s"] / f["bare_sanic_per_s"]
        f["web_rss_mb"] = self.sampler.peak_loaded / 2**20
        f["wall_s"] = time.monotonic() - t_start

    def report(self) -> None:
        f, p = self.figures, self.plan
        rows = [
            ("notify_per_s", "notifications/s, median of rounds", f"{f['notify_per_s']:.0f}", ""),
            ("notify_p50_ms", "latency p50, all timed requests", f"{f['notify_p50_ms']:.1f}", ""),
            ("notify_p99_ms", "latency p99, all timed requests", f"{f['notify_p99_ms']:.1f}", ""),
            ("asyncpg_credit_per_s", "same SQL work, asyncpg, no HTTP", f"{f['asyncpg_credit_per_s']:.0f}", ""),
            ("notify_vs_asyncpg", "ratio, same run", f"{f['notify_vs_asyncpg']:.2f}", ">= 0.6"),
            ("home_per_s", "GET /api/me, median of rounds", f"{f['home_per_s']:.0f}", ""),
            ("bare_sanic_per_s", "bare Sanic constant JSON", f"{f['bare_sanic_per_s']:.0f}", ""),
            ("home_vs_bare_sanic", "ratio, same run", f"{f['home_vs_bare_sanic']:.2f}", ">= 0.5"),
            ("web_rss_mb", "web process RSS, peak under load", f"{f['web_rss_mb']:.1f}", "< 150"),
        ]
        targets = {"notify_vs_asyncpg": f["notify_vs_asyncpg"] >= 0.6, "home_vs_bare_sanic": f["home_vs_bare_sanic"] >= 0.5,
                   "web_rss_mb": f["web_rss_mb"] < 150}
        print(f"youzhan benchmark ({self.mode}: {p.rounds} round(s), notify {p.notify_n}/round, asyncpg "
              f"{p.direct_n}/round, {p.concurrency} in flight, pool {APP_POOL_SIZE}; home {p.home_s:g} s/round, "
              f"{p.home_concurrency} connections)")
        print(f"{'figure':<22} {'what':<36} {'value':>9}  {'target':<8} ok")
        print("-" * 84)
        for name, what, value, target in rows:
            ok = ("yes" if targets[name] else "NO") if name in targets else ""
            print(f"{name:<22} {what:<36} {value:>9}  {target:<8} {ok}")
        print()
        print(f"notify load generator: httpx.AsyncClient ({p.concurrency} in flight), one process")
        print(f"home load generator: {f['home_load_generator']}")
        for note in self.notes:
            print(f"  {note}")
        print()
        for name in ("notify_per_s", "notify_p50_ms", "notify_p99_ms", "asyncpg_credit_per_s", "asyncpg_p99_ms",
                     "notify_vs_asyncpg", "home_per_s", "home_p99_ms", "bare_sanic_per_s", "bare_sanic_p99_ms",
                     "home_vs_bare_sanic", "web_rss_mb", "web_rss_idle_mb", "notify_generator_alone_per_s",
                     "notify_credited", "ledger_check_exit", "wall_s"):
            value = f[name]
            if isinstance(value, float):
                digits = 2 if name.endswith(("_vs_asyncpg", "_vs_bare_sanic")) else 1
                value = f"{value:.{digits}f}"
            print(f"{name}: {value}")
        print(f"home_load_generator: {f['home_load_generator']}")
        print("notify_load_generator: httpx")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short round (under a minute in all)")
    parser.add_argument("--bare-sanic-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, help="notifications in flight (default 32)")
    args = parser.parse_args()
    if args.bare_sanic_server:
        bare_sanic_server(args.bare_sanic_server)
        return 0

    def _terminate(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)
    mode = "quick" if args.quick else "full"
    plan = PLANS[mode]
    if args.concurrency:
        plan.concurrency = args.concurrency
    bench = Bench(plan, mode)
    try:
        bench.run()
    except KeyboardInterrupt:
        log("interrupted: cleaning up")
        return 130
    except Exception as exc:
        log(f"FAILED: {type(exc).__name__}: {exc}")
        return 1
    finally:
        bench.stop()
    bench.report()
    return 0


if __name__ == "__main__":
    sys.exit(main())
