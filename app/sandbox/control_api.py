"""The control API: what tests, scripts and the mini-program harness use to play the user and WeChat Pay."""

from __future__ import annotations

import re
from typing import Literal, overload

from sanic import Request, Sanic

from app.sandbox.replies import json_body, json_reply
from app.sandbox.state import RECORD_KINDS, ControlError, SandboxState
from app.settings import DEFAULT_TEMPLATE_POINTS_CREDITED

_PHONE = re.compile(r"[0-9]{5,20}")


def _object(request: Request) -> dict:
    data = json_body(request) if request.body else {}
    if not isinstance(data, dict):
        raise ControlError(400, "the body must be a JSON object")
    return data


@overload
def _text(data: dict, key: str, *, required: Literal[True] = True) -> str: ...
@overload
def _text(data: dict, key: str, *, required: bool) -> str | None: ...
def _text(data: dict, key: str, *, required: bool = True) -> str | None:
    """The non-empty string at `key`; None when it is absent and not required, else a 400."""
    value = data.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        raise ControlError(400, f"{key} must be a non-empty string")
    return value


def _flag(data: dict, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise ControlError(400, f"{key} must be true or false")
    return value


def install(app: Sanic, state: SandboxState) -> None:
    """Add the /sandbox/* routes; ControlError becomes {"error"} in server.py."""

    async def pay_and_notify(out_trade_no: str | None, *, deliver: bool, protocol: str = "v3",
                             sign_type: str | None = None, force: bool = False, notify_url: str | None = None,
                             payment: dict | None = None) -> dict:
        async with state.lock:
            if payment is not None:
                out_trade_no = state.request_payment(payment)
            # callers give either an out_trade_no or the payment to take it from
            assert out_trade_no is not None
            tx, delivery = state.pay(out_trade_no, protocol=protocol, sign_type=sign_type, force=force,
                                     notify_url=notify_url)
        if deliver:
            state.notifier.deliver(delivery)
        return {"transaction_id": tx.transaction_id, "out_trade_no": tx.out_trade_no,
                "delivered": "scheduled" if deliver else "dropped"}

    @app.get("/sandbox/health")
    async def health(request: Request):
        return json_reply({"status": "ok"})

    @app.post("/sandbox/login-code")
    async def login_code(request: Request):
        data = _object(request)
        openid = _text(data, "openid", required=False)
        unionid = _text(data, "unionid", required=False)
        async with state.lock:
            return json_reply(state.mint_login_code(openid, unionid))

    @app.post("/sandbox/phone-code")
    async def phone_code(request: Request):
        phone = _text(_object(request), "phone")
        if not _PHONE.fullmatch(phone):
            raise ControlError(400, "phone must be 5 to 20 digits")
        async with state.lock:
            return json_reply({"code": state.mint_phone_code(phone)})

    @app.post("/sandbox/session-key")
    async def session_key(request: Request):
        openid = _text(_object(request), "openid")
        async with state.lock:
            return json_reply({"session_key": state.session_key(openid)})

    @app.post("/sandbox/encrypt-phone")
    async def encrypt_phone(request: Request):
        data = _object(request)
        openid, phone = _text(data, "openid"), _text(data, "phone")
        appid = _text(data, "appid", required=False)
        async with state.lock:
            return json_reply(state.encrypt_phone(openid, phone, appid))

    @app.post("/sandbox/subscribe")
    async def subscribe(request: Request):
        data = _object(request)
        openid = _text(data, "openid")
        template_ids = data.get("template_ids", [DEFAULT_TEMPLATE_POINTS_CREDITED])
        if not isinstance(template_ids, list) or not all(isinstance(t, str) and t for t in template_ids):
            raise ControlError(400, "template_ids must be a list of template ids")
        answer = data.get("answer", "accept")
        if answer not in ("accept", "reject"):
            raise ControlError(400, "answer must be accept or reject")
        async with state.lock:
            return json_reply(state.subscribe(openid, template_ids, answer))

    @app.get("/sandbox/grants")
    async def grants(request: Request):
        openid = request.args.get("openid")
        if not openid:
            raise ControlError(400, "openid is required")
        template_id = request.args.get("template_id", DEFAULT_TEMPLATE_POINTS_CREDITED)
        async with state.lock:
            return json_reply({"openid": openid, "template_id": template_id,
                               "grants": state.grants_of(openid, template_id)})

    @app.post("/sandbox/fail-sends")
    async def fail_sends(request: Request):
        data = _object(request)
        errcode, count = data.get("errcode"), data.get("count", 1)
        if not isinstance(errcode, int) or isinstance(errcode, bool) or errcode == 0:
            raise ControlError(400, "errcode must be a non-zero integer")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ControlError(400, "count must be a non-negative integer")
        async with state.lock:
            state.fail_sends(errcode, count)
        return json_reply({"errcode": errcode, "count": count})

    @app.post("/sandbox/pay")
    async def pay(request: Request):
        data = _object(request)
        protocol = data.get("protocol", "v3")
        if protocol not in ("v3", "v2"):
            raise ControlError(400, "protocol must be v3 or v2")
        sign_type = data.get("sign_type")
        if sign_type not in (None, "MD5", "HMAC-SHA256"):
            raise ControlError(400, "sign_type must be MD5 or HMAC-SHA256")
        answer = await pay_and_notify(
            _text(data, "out_trade_no"), deliver=_flag(data, "deliver", True), protocol=protocol, sign_type=sign_type,
            force=_flag(data, "force", False), notify_url=_text(data, "notify_url", required=False),
        )
        return json_reply(answer)

    @app.post("/sandbox/request-payment")
    async def request_payment(request: Request):
        data = _object(request)
        answer = await pay_and_notify(None, deliver=_flag(data, "deliver", True), payment=data)
        return json_reply({"errMsg": "requestPayment:ok", **answer})

    @app.get("/sandbox/records")
    async def records(request: Request):
        kind = request.args.get("kind")
        if kind not in RECORD_KINDS:
            raise ControlError(400, f"kind must be one of {', '.join(RECORD_KINDS)}")
        async with state.lock:
            items = state.records.query(kind, openid=request.args.get("openid"),
                                        out_trade_no=request.args.get("out_trade_no"))
            answer: dict[str, object] = {"items": items}
            if kind == "tokens":
                answer["counts"] = state.token_counts()
        return json_reply(answer)

    @app.post("/sandbox/reset-records")
    async def reset_records(request: Request):
        async with state.lock:
            state.records.clear()
        return json_reply({"status": "ok"})

    @app.post("/sandbox/expire-tokens")
    async def expire_tokens(request: Request):
        token = _text(_object(request), "access_token", required=False)
        async with state.lock:
            return json_reply({"expired": state.expire_tokens(token)})

    @app.get("/sandbox/transactions/<out_trade_no:str>")
    async def transaction(request: Request, out_trade_no: str):
        async with state.lock:
            tx = state.transactions.get(out_trade_no)
            if tx is None:
                raise ControlError(404, f"unknown out_trade_no {out_trade_no!r}")
            refunds = [r.view() for r in state.refunds.values() if r.out_trade_no == out_trade_no]
            return json_reply({**tx.stored(), "refunds": refunds})
