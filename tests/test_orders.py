"""Ordering as the mini-program does it: a retried request gets the same order, my orders are listed, the
stations tell the limits."""

import asyncio

from app.models import Order
from tests.helpers import login, wait_paid


def fuel(amount_fen: int, request_id: str) -> dict:
    return {"station_id": 1, "pump_no": 1, "grade": "92#", "amount_fen": amount_fen, "request_id": request_id}


async def test_a_retried_order_request_gets_the_same_order_not_a_second_one(api, sandbox, db):
    driver = await login(api, sandbox)
    body = fuel(20000, f"req-{driver.openid[-12:]}")
    answers = await asyncio.gather(*[api.post("/api/orders", headers=driver.headers, json=body) for _ in range(4)])
    assert {a.status_code for a in answers} == {201}
    numbers = {a.json()["order"]["out_trade_no"] for a in answers}
    assert len(numbers) == 1
    assert {a.json()["payment"]["package"] for a in answers} == {answers[0].json()["payment"]["package"]}
    assert await Order.filter(openid=driver.openid).count() == 1


async def test_a_request_id_cannot_be_reused_for_another_amount_or_after_paying(api, sandbox, db):
    driver = await login(api, sandbox)
    request_id = f"req-{driver.openid[-12:]}"
    first = await api.post("/api/orders", headers=driver.headers, json=fuel(20000, request_id))
    other = await api.post("/api/orders", headers=driver.headers, json=fuel(30000, request_id))
    assert other.status_code == 409 and other.json()["error"]["code"] == "order.request_id_reused"
    await sandbox.request_payment(first.json()["payment"])
    await wait_paid(api, driver, first.json()["order"]["out_trade_no"])
    again = await api.post("/api/orders", headers=driver.headers, json=fuel(20000, request_id))
    assert again.status_code == 409 and again.json()["error"]["code"] == "order.not_payable"
    assert await Order.filter(openid=driver.openid).count() == 1


async def test_my_orders_are_listed_newest_first_and_only_mine(api, sandbox):
    driver, other = await login(api, sandbox), await login(api, sandbox)
    for amount in (10000, 20000, 30000):
        await api.post("/api/orders", headers=driver.headers, json={**fuel(amount, "x" * 8), "request_id": None})
    await api.post("/api/orders", headers=other.headers, json={**fuel(5000, "y" * 8), "request_id": None})
    page = (await api.get("/api/orders", params={"limit": 2}, headers=driver.headers)).json()
    assert [o["amount_fen"] for o in page["items"]] == [30000, 20000]
    rest = (await api.get("/api/orders", params={"cursor": page["next"]}, headers=driver.headers)).json()
    assert [o["amount_fen"] for o in rest["items"]] == [10000] and rest["next"] is None


async def test_stations_tell_the_order_limits(api):
    limits = (await api.get("/api/stations")).json()["order_limits"]
    assert limits == {"min_fen": 100, "max_fen": 500000}


async def test_a_driver_whose_access_token_expired_can_still_log_out_with_the_refresh_token(api, sandbox):
    driver = await login(api, sandbox)
    out = await api.post("/api/auth/logout", json={"refresh_token": driver.refresh_token})
    assert out.status_code == 200
    refused = await api.post("/api/auth/refresh", json={"refresh_token": driver.refresh_token})
    assert refused.status_code == 401


async def test_the_points_history_says_the_balance_and_the_window(api, sandbox):
    driver = await login(api, sandbox)
    page = (await api.get("/api/me/points", headers=driver.headers)).json()
    assert page == {"items": [], "next": None, "balance": 0, "days": 92}
