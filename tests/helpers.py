"""Builders that read like the driver's journey: log in, grant, order, pay, wait."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

import httpx

from app.sandbox.client import SandboxClient
from app.settings import DEFAULT_TEMPLATE_POINTS_CREDITED as TEMPLATE


@dataclass
class Driver:
    """A driver logged in through the sandbox."""

    openid: str
    access_token: str
    refresh_token: str
    member: dict | None

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.access_token}"}


async def login(api: httpx.AsyncClient, sandbox: SandboxClient, openid: str | None = None) -> Driver:
    """wx.login through the sandbox, then POST /api/auth/login."""
    minted = await sandbox.login_code(openid=openid)
    response = await api.post("/api/auth/login", json={"code": minted["code"]})
    assert response.status_code == 200, response.text
    body = response.json()
    return Driver(minted["openid"], body["access_token"], body["refresh_token"], body["member"])


async def grant_points_message(api: httpx.AsyncClient, sandbox: SandboxClient, driver: Driver) -> None:
    """The driver taps "allow" in wx.requestSubscribeMessage; the mini-program reports it."""
    answer = await sandbox.subscribe(driver.openid, [TEMPLATE], "accept")
    response = await api.post("/api/me/subscriptions", headers=driver.headers, json={"grants": answer["grants"]})
    assert response.status_code == 200, response.text


async def place_order(api: httpx.AsyncClient, driver: Driver, *, amount_fen: int | None = 30000,
                      litres: float | None = None, station_id: int = 1, pump_no: int = 1, grade: str = "92#"
                      ) -> tuple[dict, dict]:
    """POST /api/orders; returns (order, payment parameters)."""
    body = {"station_id": station_id, "pump_no": pump_no, "grade": grade}
    if litres is not None:
        body["litres"] = litres
    else:
        body["amount_fen"] = amount_fen
    response = await api.post("/api/orders", headers=driver.headers, json=body)
    assert response.status_code == 201, response.text
    return response.json()["order"], response.json()["payment"]


async def wait_until(check, *, timeout: float = 15.0, interval: float = 0.1):
    """Poll an async check until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s (last: {result!r})")
        await asyncio.sleep(interval)


async def wait_paid(api: httpx.AsyncClient, driver: Driver, out_trade_no: str, timeout: float = 15.0) -> dict:
    """Poll GET /api/orders/{no} like the result page does, until paid."""

    async def paid():
        response = await api.get(f"/api/orders/{out_trade_no}", headers=driver.headers)
        order = response.json()["order"]
        return order if order["status"] == "paid" else None

    return await wait_until(paid, timeout=timeout, interval=0.2)


async def me(api: httpx.AsyncClient, driver: Driver) -> dict | None:
    response = await api.get("/api/me", headers=driver.headers)
    assert response.status_code == 200, response.text
    return response.json()["member"]
