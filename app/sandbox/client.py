"""Clients of the sandbox's control API: async for tests, sync for scripts.

Each method returns the control API's JSON answer as is, except records(), which returns its items.
"""

from __future__ import annotations

import asyncio
import time

import httpx


class SandboxError(Exception):
    """The control API refused a request; `payload` is its JSON answer."""

    def __init__(self, status: int, payload):
        super().__init__(f"sandbox answered {status}: {payload}")
        self.status = status
        self.payload = payload


def _answer(response: httpx.Response):
    try:
        payload = response.json()
    except ValueError:
        payload = {"error": response.text}
    if response.status_code >= 400:
        raise SandboxError(response.status_code, payload)
    return payload


def _drop_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def _pay_body(out_trade_no, deliver, protocol, sign_type, force, notify_url) -> dict:
    return _drop_none({"out_trade_no": out_trade_no, "deliver": deliver, "protocol": protocol,
                       "sign_type": sign_type, "force": force, "notify_url": notify_url})


class SandboxClient:
    """The control API over httpx.AsyncClient."""

    def __init__(self, base_url: str, *, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def __aenter__(self) -> SandboxClient:
        return self

    async def __aexit__(self, *exc) -> None:
        await self.aclose()

    async def _post(self, path: str, body: dict | None = None):
        return _answer(await self._http.post(path, json=body or {}))

    async def _get(self, path: str, params: dict | None = None):
        return _answer(await self._http.get(path, params=_drop_none(params or {})))

    async def health(self) -> dict:
        """GET /sandbox/health."""
        return await self._get("/sandbox/health")

    async def wait_ready(self, within: float = 15.0) -> None:
        """Poll /sandbox/health until it answers, or raise TimeoutError."""
        deadline = time.monotonic() + within
        while True:
            try:
                await self.health()
                return
            except (httpx.HTTPError, SandboxError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the sandbox at {self.base_url} did not become ready") from None
                await asyncio.sleep(0.05)

    async def login_code(self, openid: str | None = None, unionid: str | None = None) -> dict:
        """A wx.login code: {"code", "openid", "unionid"}."""
        return await self._post("/sandbox/login-code", _drop_none({"openid": openid, "unionid": unionid}))

    async def phone_code(self, phone: str) -> dict:
        """A getPhoneNumber button code for the phone number: {"code"}."""
        return await self._post("/sandbox/phone-code", {"phone": phone})

    async def session_key(self, openid: str) -> dict:
        """The latest session key issued to the user: {"session_key"}."""
        return await self._post("/sandbox/session-key", {"openid": openid})

    async def encrypt_phone(self, openid: str, phone: str, appid: str | None = None) -> dict:
        """The legacy getPhoneNumber payload: {"encrypted_data", "iv"}."""
        body = _drop_none({"openid": openid, "phone": phone, "appid": appid})
        return await self._post("/sandbox/encrypt-phone", body)

    async def subscribe(self, openid: str, template_ids: list[str], answer: str = "accept") -> dict:
        """What wx.requestSubscribeMessage answers: {"grants": {template_id: "accept"|"reject"}}."""
        body = {"openid": openid, "template_ids": template_ids, "answer": answer}
        return await self._post("/sandbox/subscribe", body)

    async def grants(self, openid: str, template_id: str | None = None) -> dict:
        """Unspent one-time grants of the user for the template: {"openid", "template_id", "grants"}."""
        return await self._get("/sandbox/grants", {"openid": openid, "template_id": template_id})

    async def pay(self, out_trade_no: str, deliver: bool = True, protocol: str = "v3", sign_type: str | None = None,
                  force: bool = False, notify_url: str | None = None) -> dict:
        """The user pays: {"transaction_id", "out_trade_no", "delivered"}."""
        return await self._post("/sandbox/pay", _pay_body(out_trade_no, deliver, protocol, sign_type, force,
                                                          notify_url))

    async def request_payment(self, params: dict, deliver: bool = True) -> dict:
        """wx.requestPayment with the app's signed parameters."""
        return await self._post("/sandbox/request-payment", {**params, "deliver": deliver})

    async def fail_sends(self, errcode: int, count: int) -> dict:
        """Make the next `count` subscribe sends fail with errcode."""
        return await self._post("/sandbox/fail-sends", {"errcode": errcode, "count": count})

    async def expire_tokens(self, access_token: str | None = None) -> dict:
        """Expire one access token, or all of them, now: {"expired": n}."""
        return await self._post("/sandbox/expire-tokens", _drop_none({"access_token": access_token}))

    async def records(self, kind: str, **filters) -> list:
        """Records of a kind, filtered by openid= and/or out_trade_no=."""
        return (await self._get("/sandbox/records", {"kind": kind, **filters}))["items"]

    async def reset_records(self) -> None:
        """Forget all records."""
        await self._post("/sandbox/reset-records")

    async def transaction(self, out_trade_no: str) -> dict:
        """The transaction as the sandbox stores it."""
        return await self._get(f"/sandbox/transactions/{out_trade_no}")

    async def aclose(self) -> None:
        """Close the HTTP pool."""
        await self._http.aclose()


class SyncSandboxClient:
    """The control API over httpx.Client, for scripts."""

    def __init__(self, base_url: str, *, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)

    def __enter__(self) -> SyncSandboxClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _post(self, path: str, body: dict | None = None):
        return _answer(self._http.post(path, json=body or {}))

    def _get(self, path: str, params: dict | None = None):
        return _answer(self._http.get(path, params=_drop_none(params or {})))

    def health(self) -> dict:
        """GET /sandbox/health."""
        return self._get("/sandbox/health")

    def wait_ready(self, within: float = 15.0) -> None:
        """Poll /sandbox/health until it answers, or raise TimeoutError."""
        deadline = time.monotonic() + within
        while True:
            try:
                self.health()
                return
            except (httpx.HTTPError, SandboxError):
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the sandbox at {self.base_url} did not become ready") from None
                time.sleep(0.05)

    def login_code(self, openid: str | None = None, unionid: str | None = None) -> dict:
        """A wx.login code: {"code", "openid", "unionid"}."""
        return self._post("/sandbox/login-code", _drop_none({"openid": openid, "unionid": unionid}))

    def phone_code(self, phone: str) -> dict:
        """A getPhoneNumber button code for the phone number: {"code"}."""
        return self._post("/sandbox/phone-code", {"phone": phone})

    def session_key(self, openid: str) -> dict:
        """The latest session key issued to the user: {"session_key"}."""
        return self._post("/sandbox/session-key", {"openid": openid})

    def encrypt_phone(self, openid: str, phone: str, appid: str | None = None) -> dict:
        """The legacy getPhoneNumber payload: {"encrypted_data", "iv"}."""
        return self._post("/sandbox/encrypt-phone", _drop_none({"openid": openid, "phone": phone, "appid": appid}))

    def subscribe(self, openid: str, template_ids: list[str], answer: str = "accept") -> dict:
        """What wx.requestSubscribeMessage answers: {"grants": {template_id: "accept"|"reject"}}."""
        return self._post("/sandbox/subscribe", {"openid": openid, "template_ids": template_ids, "answer": answer})

    def grants(self, openid: str, template_id: str | None = None) -> dict:
        """Unspent one-time grants of the user for the template: {"openid", "template_id", "grants"}."""
        return self._get("/sandbox/grants", {"openid": openid, "template_id": template_id})

    def pay(self, out_trade_no: str, deliver: bool = True, protocol: str = "v3", sign_type: str | None = None,
            force: bool = False, notify_url: str | None = None) -> dict:
        """The user pays: {"transaction_id", "out_trade_no", "delivered"}."""
        return self._post("/sandbox/pay", _pay_body(out_trade_no, deliver, protocol, sign_type, force, notify_url))

    def request_payment(self, params: dict, deliver: bool = True) -> dict:
        """wx.requestPayment with the app's signed parameters."""
        return self._post("/sandbox/request-payment", {**params, "deliver": deliver})

    def fail_sends(self, errcode: int, count: int) -> dict:
        """Make the next `count` subscribe sends fail with errcode."""
        return self._post("/sandbox/fail-sends", {"errcode": errcode, "count": count})

    def expire_tokens(self, access_token: str | None = None) -> dict:
        """Expire one access token, or all of them, now: {"expired": n}."""
        return self._post("/sandbox/expire-tokens", _drop_none({"access_token": access_token}))

    def records(self, kind: str, **filters) -> list:
        """Records of a kind, filtered by openid= and/or out_trade_no=."""
        return self._get("/sandbox/records", {"kind": kind, **filters})["items"]

    def reset_records(self) -> None:
        """Forget all records."""
        self._post("/sandbox/reset-records")

    def transaction(self, out_trade_no: str) -> dict:
        """The transaction as the sandbox stores it."""
        return self._get(f"/sandbox/transactions/{out_trade_no}")

    def close(self) -> None:
        """Close the HTTP pool."""
        self._http.close()

    def aclose(self) -> None:
        """Same as close(), so code can treat both clients alike."""
        self.close()
