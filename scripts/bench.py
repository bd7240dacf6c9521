"""Benchmark of the youzhan web app on PostgreSQL + Redis: `scripts/bench [--quick]`.

What it measures, in one run on one machine (so the ratios compare like with like):

1. notify  - signed WeChat Pay v3 payment notifications, one per created order, POSTed to the real web app
             (`python -m app`, started by app.devstack, no worker) with a bounded number in flight, by httpx
             (one AsyncClient per in-flight slot; `--notify-client raw` for a client that costs ~10x less CPU);
             every answer must be 204 and every order credited (ledger entries counted, `ledger-check` run).
2. asyncpg - the same SQL work as `orders.settle_payment` (one transaction per payment), written directly with
             asyncpg, no HTTP, same concurrency, a pool of the app's size (20): the limit the app is compared to.
3. home    - GET /api/me with valid access tokens of existing members, against the app and against a bare
             Sanic app answering a constant JSON of the same shape (`--bare-sanic-server PORT`), same load
             generator (wrk with a Lua script when installed, else httpx); also the bare app answering the same
             JSON from one asyncpg query (`/api/me-db`): the ceiling of any handler that reads the database.
4. memory  - the web process's resident memory (with children), sampled with psutil during the loads.

Rounds of notify/asyncpg and of bare/home are interleaved so that noise from other work on the machine hits
both sides of each ratio alike; the per-second figures are medians over rounds, p99 is over all timed requests.
Each round also reports where the CPU went (web app, its PostgreSQL backends, the generator, other people's
processes), since the machine is shared and has 2 cores. Bodies are built and signed before each timed round
(RSA signing does not count). Everything it starts is stopped and its database dropped, on failure and on
Ctrl-C too. `--py-spy DIR` records the web process during the timed loads (pip install py-spy first).
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


def bare_sanic_server(port: int, dsn: str | None = None) -> None:
    """A single-process Sanic app, access log off, answering a constant member JSON (and a 204 POST).

    With a DSN it also serves /api/me-db: the same JSON from one asyncpg query by openid (pool 1..20, asyncpg's
    defaults, as the app's) - the ceiling of "Sanic + one PostgreSQL round trip" on this machine.
    """
    from sanic import Sanic
    from sanic.response import empty
    from sanic.response import json as json_response

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

    if dsn:
        @app.before_server_start
        async def open_pool(app, _loop=None):
            import asyncpg

            app.ctx.pool = await asyncpg.create_pool(dsn, min_size=1, max_size=APP_POOL_SIZE)

        @app.get("/api/me-db")
        async def me_db(request):
            openid = request.args.get("openid", "")
            row = await app.ctx.pool.fetchrow(
                "SELECT id, points_balance, tier, growth_value, joined_via, joined_at, phone_masked, referral_code "
                "FROM members WHERE openid = $1", openid)
            member = None if row is None else {
                "id": row["id"], "points_balance": row["points_balance"], "tier": row["tier"], "tier_name": "普通会员",
                "growth_value": row["growth_value"], "joined_via": row["joined_via"],
                "joined_at": row["joined_at"].isoformat(), "phone": row["phone_masked"],
                "referral_code": row["referral_code"],
            }
            return json_response({"member": member, "openid": openid})

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
    from app import devstack

    devstack.wait_http(url, process, url, timeout)


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
    """CPU seconds used during a phase by: the web app, this database's PostgreSQL backends, the rest of
    PostgreSQL (WAL writer etc., other databases), the load generator (this process and its waited children,
    e.g. wrk), the bare app, every other process (named when it matters: other people's test suites), steal
    (the hypervisor), and "kernel": kernel threads, interrupts outside any process, and processes that started
    and ended within the phase (short-lived commands of other people's work land here)."""

    def __init__(self, dbname: str):
        import psutil

        self.psutil = psutil
        self.dbname = dbname
        self.pids: dict[str, int | None] = {"web": None, "bare": None}

    def _classify(self, pid: int, name: str, cmd: str) -> str:
        if pid == self.pids["web"]:
            return "web"
        if pid == self.pids["bare"]:
            return "bare"
        if pid == os.getpid():
            return "generator"
        if name == "postgres" or cmd.startswith("postgres"):
            return "postgres" if f" {self.dbname} " in cmd else "pg-other"
        if not cmd or name.startswith(("kworker", "ksoftirqd", "kswapd", "jbd2", "rcu_", "migration")):
            return "kernel"  # kernel threads (no command line): writeback, loopback softirq, vsock ...
        if name == "py-spy":
            return "py-spy"
        return f"other:{name}"

    def snapshot(self) -> dict:
        procs: dict[int, tuple[str, float]] = {}
        for p in self.psutil.process_iter(["name", "cmdline", "cpu_times"]):
            try:
                t = p.info["cpu_times"]
                if t is None:
                    continue
                cmd = " ".join(p.info["cmdline"] or [])
                procs[p.pid] = (self._classify(p.pid, p.info["name"] or "?", cmd), t.user + t.system)
            except self.psutil.Error:
                pass
        me = self.psutil.Process().cpu_times()
        total = self.psutil.cpu_times()
        busy = sum(total) - total.idle - getattr(total, "iowait", 0.0) - getattr(total, "guest", 0.0) \
            - getattr(total, "guest_nice", 0.0)
        return {"t": time.monotonic(), "busy": busy, "steal": getattr(total, "steal", 0.0), "procs": procs,
                "children": me.children_user + me.children_system}

    @staticmethod
    def split(a: dict, b: dict) -> dict[str, float]:
        """Percent of one core (2 cores = 200 %) per consumer between two snapshots."""
        wall = max(1e-9, b["t"] - a["t"])
        parts: dict[str, float] = {"web": 0.0, "postgres": 0.0, "generator": b["children"] - a["children"]}
        for pid, (kind, cpu) in b["procs"].items():
            before = a["procs"].get(pid)
            delta = cpu - (before[1] if before and before[0] == kind else 0.0)
            parts[kind] = parts.get(kind, 0.0) + max(0.0, delta)
        others = {k: v for k, v in parts.items() if k.startswith("other:")}
        for k in others:
            del parts[k]
        parts["other-procs"] = sum(others.values())
        parts["steal"] = max(0.0, b["steal"] - a["steal"])  # taken by the hypervisor for other guests
        parts["kernel"] = parts.get("kernel", 0.0) + max(0.0, (b["busy"] - a["busy"]) - sum(parts.values()))
        result = {k: 100 * v / wall for k, v in parts.items()}
        top = sorted(others.items(), key=lambda kv: -kv[1])[:2]
        result["_top_other"] = ", ".join(f"{k[6:]} {100 * v / wall:.0f}%" for k, v in top if 100 * v / wall >= 5)
        return result


def fmt_cpu(split: dict) -> str:
    text = ", ".join(f"{k} {v:.0f}%" for k, v in split.items()
                     if not k.startswith("_") and (v >= 0.5 or k in ("web", "postgres", "generator")))
    return text + (f" (busiest others: {split['_top_other']})" if split.get("_top_other") else "")


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
    """settle_payment's work, directly: BEGIN, 9 statements, COMMIT, and asyncpg's reset query on release - 12 round
    trips against the app's 21 (station names cached, no idempotency SELECTs: the conditional UPDATE and the
    unique keys guard against a second credit)."""
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
    p50_ms: float = 0.0
    p99_ms: float = 0.0

    @property
    def per_s(self) -> float:
        return self.count / self.seconds if self.seconds else 0.0


class HttpxSender:
    """One httpx.AsyncClient holding one keep-alive connection.

    One client per in-flight slot: httpcore's pool scans every connection of a client on each request, so one
    client with 32 connections costs ~2.2 ms of CPU per request here, against ~0.5 ms with a client per connection
    - and the generator shares the 2 cores with the app.
    """

    def __init__(self, url: str):
        import httpx

        self.url = url
        self.client = httpx.AsyncClient(limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
                                        timeout=httpx.Timeout(60.0))

    async def post(self, body: bytes, headers: dict) -> int:
        return (await self.client.post(self.url, content=body, headers=headers)).status_code

    async def aclose(self) -> None:
        await self.client.aclose()


class RawSender:
    """A minimal HTTP/1.1 keep-alive client on asyncio streams (~10x less CPU per request than httpx): for
    measuring how much of the notify figure the generator's own CPU costs on a 2-core machine."""

    def __init__(self, url: str):
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        self.host, self.port, self.path = parts.hostname, parts.port, parts.path
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def post(self, body: bytes, headers: dict) -> int:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        self.writer.write(f"POST {self.path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{head}"
                          f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding":
                raise RuntimeError("chunked answers are not supported by the raw client")
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        if length:
            await self.reader.readexactly(length)
        if close:
            await self.aclose()
        return status

    async def aclose(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


SENDERS = {"httpx": HttpxSender, "raw": RawSender}


async def post_load(url: str, warmup: list[tuple[bytes, dict]], items: list[tuple[bytes, dict]], concurrency: int,
                    meter: CpuMeter | None = None, sampler: RssSampler | None = None, duration: float | None = None,
                    client: str = "httpx") -> tuple[LoadResult, dict | None]:
    """POST each item once (or cycle through them for `duration` seconds), `concurrency` in flight, each slot with
    its own keep-alive connection."""
    senders = [SENDERS[client](url) for _ in range(concurrency)]
    try:
        async def drive(batch, deadline: float | None):
            latencies: list[float] = []
            statuses: Counter = Counter()
            if deadline is None:
                source = iter(batch)
            else:
                def cycle():
                    while time.monotonic() < deadline:
                        yield from batch
                source = cycle()

            async def worker(sender):
                for body, headers in source:
                    if deadline is not None and time.monotonic() >= deadline:
                        return
                    t0 = time.perf_counter()
                    status = await sender.post(body, headers)
                    latencies.append(time.perf_counter() - t0)
                    statuses[status] += 1

            await asyncio.gather(*(worker(sender) for sender in senders))
            return latencies, statuses

        if warmup:  # opens every connection (each slot gets at least one request when len(warmup) >= slots)
            _, warm_statuses = await drive(warmup, None)
            if set(warm_statuses) - {204}:
                raise RuntimeError(f"warm-up answers: {dict(warm_statuses)}")
        before = meter.snapshot() if meter else None
        if sampler:
            sampler.active = True
        t0 = time.perf_counter()
        latencies, statuses = await drive(items, None if duration is None else time.monotonic() + duration)
        seconds = time.perf_counter() - t0
        if sampler:
            sampler.active = False
        split = CpuMeter.split(before, meter.snapshot()) if meter else None
    finally:
        for sender in senders:
            await sender.aclose()
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
        return (f"httpx (wrk not installed): {self.concurrency} AsyncClients, one connection each - it saturates "
                f"near 1,600 req/s here, so bare_sanic_per_s is the generator's limit and home_vs_bare_sanic is "
                f"overstated: apt-get install wrk")

    def run(self, url: str, seconds: float, meter: CpuMeter, sampler: RssSampler | None) -> tuple[LoadResult, dict]:
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
        return LoadResult(data["requests"], data["duration_us"] / 1e6, [], Counter({"non-2xx": data["status"]}),
                          errors, data["p50_us"] / 1000, data["p99_us"] / 1000)

    async def _httpx(self, url: str, seconds: float) -> LoadResult:
        import httpx

        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        clients = [httpx.AsyncClient(limits=limits, timeout=10.0) for _ in range(self.concurrency)]
        latencies: list[float] = []
        statuses: Counter = Counter()
        counter = iter(range(10**12))
        deadline = time.monotonic() + seconds

        async def worker(client):
            while time.monotonic() < deadline:
                token = self.tokens[next(counter) % len(self.tokens)]
                t0 = time.perf_counter()
                r = await client.get(url, headers={"Authorization": f"Bearer {token}"})
                latencies.append(time.perf_counter() - t0)
                statuses[r.status_code] += 1

        try:
            t0 = time.perf_counter()
            await asyncio.gather(*(worker(client) for client in clients))
            elapsed = time.perf_counter() - t0
        finally:
            for client in clients:
                await client.aclose()
        statuses["non-2xx"] = sum(v for k, v in statuses.items() if k != 200)
        return LoadResult(len(latencies), elapsed, latencies, statuses, 0, pct(latencies, 50) * 1000,
                          pct(latencies, 99) * 1000)


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
    notify_client: str = "httpx"


PLANS = {
    "quick": Plan(rounds=1, notify_n=1000, direct_n=2000, home_s=5, warmup_n=64, gen_probe_s=1.5, concurrency=32,
                  home_concurrency=32),
    "full": Plan(rounds=3, notify_n=5000, direct_n=5000, home_s=15, warmup_n=64, gen_probe_s=3, concurrency=32,
                 home_concurrency=32),
}


class Profiler:
    """Optional: py-spy (not a project dependency) records the web process during each timed web load."""

    def __init__(self, directory: Path | None):
        self.directory = directory
        self.exe = shutil.which("py-spy") or (str(Path(sys.executable).parent / "py-spy")
                                              if (Path(sys.executable).parent / "py-spy").exists() else None)
        self.process: subprocess.Popen | None = None
        if directory:
            if not self.exe:
                raise SystemExit("--py-spy needs py-spy: .venv/bin/pip install py-spy")
            directory.mkdir(parents=True, exist_ok=True)

    def start(self, pid: int, name: str) -> None:
        if not self.directory:
            return
        extra = os.environ.get("BENCH_PY_SPY_ARGS", "--nonblocking").split()  # e.g. "--native" for C frames
        self.process = subprocess.Popen([self.exe, "record", "-p", str(pid), "-r", "200", "-f", "raw", *extra,
                                         "-o", str(self.directory / f"{name}.txt")],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)

    def stop(self) -> None:
        if self.process:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None


class Bench:
    def __init__(self, plan: Plan, mode: str, profile_dir: Path | None = None):
        self.profiler = Profiler(profile_dir)
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
        self.machine = "?"
        self.home_generator = "?"

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
        self.bare = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--bare-sanic-server", str(self.bare_port),
             "--bare-dsn", self.dsn], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_http(f"http://127.0.0.1:{self.bare_port}/api/health", self.bare)
        self.meter = CpuMeter(self.dbname)
        self.meter.pids.update(web=self.web.pid, bare=self.bare.pid)
        self.sampler = RssSampler(self.web.pid)
        self.sampler.start()
        time.sleep(0.2)
        self.figures["web_rss_idle_mb"] = self.sampler.rss() / 2**20

    def stop(self) -> None:
        from app import devstack

        self.profiler.stop()
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
        self.profiler.start(self.web.pid, f"notify-{len(self.notified)}")
        try:
            result, split = run_async(post_load(f"{self.api}/api/wechat/pay/notify", warm_items, items,
                                                p.concurrency, self.meter, self.sampler, client=p.notify_client))
        finally:
            self.profiler.stop()
        self.notified.extend(warm + timed)
        self.timed_notified.extend(timed)
        if set(result.statuses) != {204}:
            raise RuntimeError(f"notify answers were not all 204: {dict(result.statuses)}")
        return result, split

    def direct_round(self, factory: OrderFactory, fixture: Fixture) -> tuple[LoadResult, dict]:
        p = self.plan
        warm, timed = factory.make(p.warmup_n), factory.make(p.direct_n)
        run_async(insert_orders(self.dsn, warm + timed))
        from app.settings import DEFAULT_TEMPLATE_POINTS_CREDITED

        template = self.env.get("WECHAT_TEMPLATE_POINTS_CREDITED") or DEFAULT_TEMPLATE_POINTS_CREDITED

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
        return run_async(post_load(f"http://127.0.0.1:{self.bare_port}/api/wechat/pay/notify", items[:64],
                                   items, self.plan.concurrency, self.meter, None, duration=self.plan.gen_probe_s,
                                   client=self.plan.notify_client))

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
    def record(self, phase: str, r: int, res: LoadResult, p99_ms: float, split: dict) -> None:
        self.rounds.append((phase, r, res.per_s, p99_ms, split))
        log(f"round {r}/{self.plan.rounds} {phase}: {res.count} in {res.seconds:.2f} s = {res.per_s:.0f}/s, "
            f"p99 {p99_ms:.1f} ms; cpu: {fmt_cpu(split)}")

    async def _machine(self, model: str) -> None:
        import asyncpg
        import redis.asyncio as redis

        con = await asyncpg.connect(self.dsn)
        try:
            pg = await con.fetchval("SHOW server_version")
        finally:
            await con.close()
        client = redis.from_url(REDIS_URL)
        try:
            rv = (await client.info("server")).get("redis_version", "?")
        finally:
            await client.aclose()
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        self.machine = f"{os.cpu_count()} cores ({model}), PostgreSQL {pg}, Redis {rv}; load average at start {load}"

    def run(self) -> None:
        p = self.plan
        t_start = time.monotonic()
        self.start()
        model = "?"
        try:
            model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                         if line.startswith("model name"))
        except (OSError, StopIteration):
            pass
        run_async(self._machine(model))
        fixture = run_async(self._fixture())
        factory = OrderFactory(fixture, self.tag)
        self.notified: list[BenchOrder] = []
        self.timed_notified: list[BenchOrder] = []
        self.direct: list[BenchOrder] = []
        self.rounds: list[tuple[str, int, float, float, dict]] = []

        notify_results, direct_results = [], []
        for r in range(1, p.rounds + 1):
            res, split = self.notify_round(factory)
            notify_results.append(res)
            self.record("notify", r, res, pct(res.latencies, 99) * 1000, split)
            res, split = self.direct_round(factory, fixture)
            direct_results.append(res)
            self.record("asyncpg", r, res, pct(res.latencies, 99) * 1000, split)

        probe, split = self.generator_probe(factory.make(256))
        self.record(f"notify generator alone ({p.notify_client} -> bare Sanic 204)", 1, probe,
                    pct(probe.latencies, 99) * 1000,
                    split)
        self.figures["notify_generator_alone_per_s"] = probe.per_s

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
        self.home_generator = home.name
        bare = f"http://127.0.0.1:{self.bare_port}"
        bare_db = f"{bare}/api/me-db?openid={self.timed_notified[0].openid}"
        home.run(f"{bare}/api/me", 1, self.meter, None)  # warm-ups
        home.run(bare_db, 1, self.meter, None)
        home.run(f"{self.api}/api/me", 2, self.meter, self.sampler)
        bare_results, bare_db_results, home_results = [], [], []
        for r in range(1, p.rounds + 1):
            for label, url, bucket, sampler in (("bare", f"{bare}/api/me", bare_results, None),
                                                ("bare+db", bare_db, bare_db_results, None),
                                                ("home", f"{self.api}/api/me", home_results, self.sampler)):
                if label == "home":
                    self.profiler.start(self.web.pid, f"home-{r}")
                try:
                    res, split = home.run(url, p.home_s, self.meter, sampler)
                finally:
                    self.profiler.stop()
                if res.errors or res.statuses.get("non-2xx"):
                    raise RuntimeError(f"{label}: {res.errors} socket errors, {res.statuses['non-2xx']} non-2xx")
                bucket.append(res)
                self.record(label, r, res, res.p99_ms, split)

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
        f["bare_sanic_db_per_s"] = statistics.median(r.per_s for r in bare_db_results)
        f["home_vs_bare_sanic_db"] = f["home_per_s"] / f["bare_sanic_db_per_s"]
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
            ("bare_sanic_per_s", "bare Sanic, constant JSON", f"{f['bare_sanic_per_s']:.0f}", ""),
            ("home_vs_bare_sanic", "ratio, same run", f"{f['home_vs_bare_sanic']:.2f}", ">= 0.5"),
            ("bare_sanic_db_per_s", "bare Sanic + 1 asyncpg query", f"{f['bare_sanic_db_per_s']:.0f}", ""),
            ("home_vs_bare_sanic_db", "ratio, same run", f"{f['home_vs_bare_sanic_db']:.2f}", ""),
            ("web_rss_mb", "web process RSS, peak under load", f"{f['web_rss_mb']:.1f}", "< 150"),
        ]
        targets = {"notify_vs_asyncpg": f["notify_vs_asyncpg"] >= 0.6,
                   "home_vs_bare_sanic": f["home_vs_bare_sanic"] >= 0.5, "web_rss_mb": f["web_rss_mb"] < 150}
        print(f"youzhan benchmark, {self.mode} run: {p.rounds} round(s); notify {p.notify_n} and asyncpg "
              f"{p.direct_n} per round, {p.concurrency} in flight, pool {APP_POOL_SIZE}; home and bare "
              f"{p.home_s:g} s per round, {p.home_concurrency} connections")
        print(f"machine - {self.machine}")
        notify_client = (f"httpx, {p.concurrency} AsyncClients of one connection each" if p.notify_client == "httpx"
                         else f"raw asyncio HTTP/1.1 client, {p.concurrency} connections")
        print(f"load generators - notify: {notify_client}, in the bench process; home and bare: "
              f"{self.home_generator}")
        print()
        print(f"{'figure':<22} {'what':<36} {'value':>9}  {'target':<8} ok")
        print("-" * 84)
        for name, what, value, target in rows:
            ok = ("yes" if targets[name] else "NO") if name in targets else ""
            print(f"{name:<22} {what:<36} {value:>9}  {target:<8} {ok}")
        print()
        print("per round - rate, p99, and CPU in % of one core (2 cores = 200 %) / ms of CPU per request; kernel* also "
              "holds processes that came and went within the round; others = other people's processes")
        print(f"{'phase':<10} {'round':>5} {'per s':>8} {'p99 ms':>8}  {'web':>9} {'postgres':>9} {'generator':>9} "
              f"{'bare':>9} {'kernel*':>7} {'steal':>5} {'others':>6}")
        for phase, r, per_s, p99, split in self.rounds:
            if phase.startswith("notify generator"):
                phase = f"{p.notify_client}-only"

            def cell(key: str, split=split, per_s=per_s) -> str:
                value = split.get(key, 0.0)  # % of a core -> ms of CPU per request
                return f"{value:3.0f}%/{10 * value / per_s:4.2f}" if value >= 0.5 and per_s else "-"
            others = split.get("other-procs", 0.0) + split.get("pg-other", 0.0) + split.get("py-spy", 0.0)
            print(f"{phase:<10} {r:>5} {per_s:>8.0f} {p99:>8.1f}  {cell('web'):>9} {cell('postgres'):>9} "
                  f"{cell('generator'):>9} {cell('bare'):>9} {split.get('kernel', 0.0):6.0f}% "
                  f"{split.get('steal', 0.0):4.0f}% {others:5.0f}%"
                  + (f"  ({split['_top_other']})" if split.get("_top_other") else ""))
        print()
        for name in ("notify_per_s", "notify_p50_ms", "notify_p99_ms", "asyncpg_credit_per_s", "asyncpg_p99_ms",
                     "notify_vs_asyncpg", "home_per_s", "home_p99_ms", "bare_sanic_per_s", "bare_sanic_p99_ms",
                     "home_vs_bare_sanic", "bare_sanic_db_per_s", "home_vs_bare_sanic_db", "web_rss_mb",
                     "web_rss_idle_mb", "notify_generator_alone_per_s",
                     "notify_credited", "ledger_check_exit", "wall_s"):
            value = f[name]
            if isinstance(value, float):
                digits = 2 if "_vs_" in name else 1
                value = f"{value:.{digits}f}"
            print(f"{name}: {value}")
        sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one short round (under a minute in all)")
    parser.add_argument("--bare-sanic-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    parser.add_argument("--bare-dsn", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, help="notifications in flight (default 32)")
    parser.add_argument("--notify-client", choices=sorted(SENDERS), default="httpx",
                        help="notify load generator: httpx.AsyncClient (default) or a minimal raw HTTP/1.1 client "
                             "that leaves more of the 2 cores to the app")
    parser.add_argument("--py-spy", type=Path, metavar="DIR",
                        help="record the web process with py-spy (raw collapsed stacks) during the timed web loads; "
                             "the figures are then disturbed by the sampling")
    args = parser.parse_args()
    if args.bare_sanic_server:
        bare_sanic_server(args.bare_sanic_server, args.bare_dsn)
        return 0

    def _terminate(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGINT, _terminate)  # also when started in the background with SIGINT ignored
    mode = "quick" if args.quick else "full"
    plan = PLANS[mode]
    if args.concurrency:
        plan.concurrency = args.concurrency
    plan.notify_client = args.notify_client
    bench = Bench(plan, mode, args.py_spy)
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
