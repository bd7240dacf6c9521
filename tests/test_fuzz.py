"""No request a client can send gets a 500: random bodies, query strings and paths against every endpoint."""

import json
import random

from tests.helpers import login

WEIRD_VALUES = [
    None, True, False, 0, -1, 1, 2**31, 2**63, -(2**63) - 1, 10**40, 1.5, -0.0, 1e308, "", " ", "0", "92#",
    "优站" * 50, "\u0000", "a" * 5000, [], [1, 2], {}, {"a": {"b": [None]}}, "' OR 1=1 --", "<xml/>",
]
KEYS = ["code", "refresh_token", "station_id", "pump_no", "grade", "amount_fen", "litres", "grants",
        "encrypted_data", "iv", "cursor", "unexpected"]


def random_body(rng: random.Random):
    if rng.random() < 0.15:
        return rng.choice(WEIRD_VALUES)
    return {rng.choice(KEYS): rng.choice(WEIRD_VALUES) for _ in range(rng.randint(0, 6))}


async def test_random_bodies_never_get_a_server_error(api, sandbox, stack):
    spec = (await api.get("/docs/openapi.json")).json()
    driver = await login(api, sandbox)
    rng = random.Random(20261124)
    posts = [path for path, ops in spec["paths"].items() if "post" in ops and "wechat" not in path]
    assert "/api/orders" in posts and "/api/auth/login" in posts
    failures = []
    for _ in range(400):
        path = rng.choice(posts)
        headers = driver.headers if rng.random() < 0.8 else {}
        body = random_body(rng)
        raw = json.dumps(body) if rng.random() < 0.9 else json.dumps(body)[:-1] + "\x00{"
        response = await api.post(path, content=raw, headers={**headers, "Content-Type": "application/json"})
        if response.status_code >= 500 and response.json()["error"]["code"] != "upstream.unavailable":
            failures.append((path, raw[:200], response.status_code, response.text[:200]))
        assert "Traceback" not in response.text
    assert failures == []


async def test_random_paths_and_query_strings_never_get_a_server_error(api, sandbox):
    driver = await login(api, sandbox)
    rng = random.Random(7)
    paths = ["/api/me", "/api/me/points", "/api/stations", "/api/orders/", "/api/health", "/docs/openapi.json"]
    for _ in range(200):
        path = rng.choice(paths)
        if path.endswith("/"):
            path += rng.choice(["YZ1", "%00", "..%2F..%2Fetc", "x" * 300, "优站", "1" * 33])
        query = {rng.choice(["cursor", "limit", "days", "x"]): str(rng.choice(WEIRD_VALUES)) for _ in range(2)}
        response = await api.get(path, params=query, headers=driver.headers)
        assert response.status_code < 500, (path, query, response.text[:300])
