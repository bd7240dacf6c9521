"""WeChat Pay API v3 as the merchant sees it: JSAPI prepay, query, close, refunds; signed both ways.

- JSAPI prepay: https://pay.weixin.qq.com/doc/v3/merchant/4012791897
- query: https://pay.weixin.qq.com/doc/v3/merchant/4012791899
- close: https://pay.weixin.qq.com/doc/v3/merchant/4012791901
- refunds: https://pay.weixin.qq.com/doc/v3/merchant/4012791903
- request signature: https://pay.weixin.qq.com/doc/v3/merchant/4012365336
"""

from __future__ import annotations

import asyncio
import functools
import re
import time

from sanic import Request, Sanic

from app.sandbox import wechatpay as wp
from app.sandbox.replies import json_body, signed_reply
from app.sandbox.state import PayError, SandboxState

TIMESTAMP_WINDOW_S = 300
# WeChat-time until a refund reaches the user's balance (scaled by --retry-scale like the re-send delays)
REFUND_SECONDS = 2.0
_AUTH_FIELD = re.compile(r'(\w+)="([^"]*)"')


def authorization_problem(state: SandboxState, request: Request) -> str | None:
    """Why the merchant's Authorization does not hold, or None when it does."""
    scheme, _, rest = request.headers.get("authorization", "").partition(" ")
    if scheme != wp.SIGNATURE_TYPE:
        return f"Authorization must use the {wp.SIGNATURE_TYPE} scheme"
    fields = dict(_AUTH_FIELD.findall(rest))
    missing = [k for k in ("mchid", "nonce_str", "signature", "timestamp", "serial_no") if not fields.get(k)]
    if missing:
        return f"Authorization lacks {', '.join(missing)}"
    if fields["mchid"] != state.config.mchid:
        return "商户号与签名信息不匹配"
    try:
        timestamp = int(fields["timestamp"])
    except ValueError:
        return "timestamp is not an integer"
    if abs(time.time() - timestamp) > TIMESTAMP_WINDOW_S:
        return "请求时间戳与当前时间相差过大"
    try:
        body = request.body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    # the signed URL is the path and query exactly as sent, so take the raw request target
    target = request.raw_url.decode("utf-8")
    message = f"{request.method}\n{target}\n{fields['timestamp']}\n{fields['nonce_str']}\n{body}\n"
    if not wp.verify_message(state.merchant_public_pem, message, fields["signature"]):
        return "签名错误，请检查后再试"
    return None


def install(app: Sanic, state: SandboxState) -> None:
    """Add the Pay v3 routes; PayError becomes a signed {"code", "message"} answer in server.py."""

    def v3(handler):
        @functools.wraps(handler)
        async def wrapper(request: Request, **kwargs):
            problem = authorization_problem(state, request)
            if problem:
                raise PayError(401, "SIGN_ERROR", problem)
            status, payload = await handler(request, **kwargs)
            return signed_reply(state.platform_private_pem, state.config.public_key_id, status, payload)

        return wrapper

    def body_of(request: Request) -> dict:
        data = json_body(request)
        if not isinstance(data, dict):
            raise PayError(400, "PARAM_ERROR", "请求体不是合法的JSON对象")
        return data

    def check_mchid(mchid) -> None:
        if not mchid:
            raise PayError(400, "PARAM_ERROR", "缺少参数mchid")
        if mchid != state.config.mchid:
            raise PayError(400, "PARAM_ERROR", "mchid与请求的商户号不一致")

    @app.post("/v3/pay/transactions/jsapi")
    @v3
    async def jsapi_prepay(request: Request):
        data = body_of(request)
        async with state.lock:
            prepay_id = state.prepay(data)
        return 200, {"prepay_id": prepay_id}

    @app.get("/v3/pay/transactions/out-trade-no/<out_trade_no:str>")
    @v3
    async def query_by_out_trade_no(request: Request, out_trade_no: str):
        check_mchid(request.args.get("mchid"))
        async with state.lock:
            view = state.transaction(out_trade_no=out_trade_no).view()
        return 200, view

    @app.get("/v3/pay/transactions/id/<transaction_id:str>")
    @v3
    async def query_by_transaction_id(request: Request, transaction_id: str):
        check_mchid(request.args.get("mchid"))
        async with state.lock:
            view = state.transaction(transaction_id=transaction_id).view()
        return 200, view

    @app.post("/v3/pay/transactions/out-trade-no/<out_trade_no:str>/close")
    @v3
    async def close_order(request: Request, out_trade_no: str):
        check_mchid(body_of(request).get("mchid"))
        async with state.lock:
            state.close(out_trade_no)
        return 204, None

    @app.post("/v3/refund/domestic/refunds")
    @v3
    async def create_refund(request: Request):
        data = body_of(request)
        async with state.lock:
            refund, created = state.create_refund(data)
            view = refund.view()
        if created:
            state.notifier.spawn(_finish_refund(state, refund.out_refund_no))
        return 200, view

    @app.get("/v3/refund/domestic/refunds/<out_refund_no:str>")
    @v3
    async def query_refund(request: Request, out_refund_no: str):
        async with state.lock:
            view = state.refund(out_refund_no).view()
        return 200, view


async def _finish_refund(state: SandboxState, out_refund_no: str) -> None:
    await asyncio.sleep(state.notifier.delay(REFUND_SECONDS))
    async with state.lock:
        delivery = state.complete_refund(out_refund_no)
    if delivery is not None:
        state.notifier.deliver(delivery)
