"""WeChat Pay's webhooks: v3 payment and refund notifications, and the legacy v2 XML notification.

These answer in WeChat Pay's own form: 204 accepts; a 4xx/5xx with {"code": "FAIL", "message"} (v3) or
XML return_code FAIL (v2) makes WeChat Pay send it again later.
"""

from __future__ import annotations

import logging

from sanic import Blueprint, Request
from sanic.response import empty, json, text
from sanic_ext import openapi

from app.errors import Conflict, NotFound
from app.handlers.common import order_policy
from app.services import orders
from app.wechat.pay import NotificationRejected

log = logging.getLogger("youzhan.notify")
bp = Blueprint("wechat_pay", url_prefix="/api/wechat")


def _fail(message: str, status: int = 400):
    return json({"code": "FAIL", "message": message}, status=status)


def _v2_reply(ok: bool, message: str = "OK"):
    code = "SUCCESS" if ok else "FAIL"
    return text(f"<xml><return_code><![CDATA[{code}]]></return_code><return_msg><![CDATA[{message}]]></return_msg></xml>",
                content_type="application/xml", status=200 if ok else 400)


async def _settle(request: Request, paid, via: str) -> str | None:
    """Settle a verified payment; None when accepted, else the reason to refuse."""
    settings = request.app.ctx.settings
    try:
        await orders.settle_payment(paid=paid, policy=order_policy(settings), mchid=settings.pay_mchid,
                                    appid=settings.wechat_appid, via=via)
    except NotFound:
        return "unknown order"
    except orders.PaymentMismatch as exc:
        log.error("notification for %s does not match the order: %s", paid.out_trade_no, exc)
        return "does not match the order"
    return None


@bp.post("/pay/notify")
@openapi.definition(summary="WeChat Pay API v3 payment notification (called by WeChat Pay)")
async def pay_notify(request: Request):
    try:
        paid = request.app.ctx.wechat.pay.verify_notification(request.headers, request.body)
    except NotificationRejected as exc:
        log.warning("v3 notification refused: %s", exc.reason)
        return _fail(exc.reason, status=401 if "signature" in exc.reason or "timestamp" in exc.reason else 400)
    try:
        refused = await _settle(request, paid, via="notify")
    except Exception:
        log.exception("v3 notification for %s could not be settled", paid.out_trade_no)
        return _fail("temporarily unable to settle", status=500)
    return _fail(refused) if refused else empty(status=204)


@bp.post("/pay/notify/v2")
@openapi.definition(summary="WeChat Pay API v2 (legacy) payment notification, XML")
async def pay_notify_v2(request: Request):
    try:
        paid = request.app.ctx.wechat.pay.verify_v2_notification(request.body)
    except NotificationRejected as exc:
        log.warning("v2 notification refused: %s", exc.reason)
        return _v2_reply(False, exc.reason)
    try:
        refused = await _settle(request, paid, via="notify_v2")
    except Exception:
        log.exception("v2 notification for %s could not be settled", paid.out_trade_no)
        return _v2_reply(False, "temporarily unable to settle")
    return _v2_reply(False, refused) if refused else _v2_reply(True)


@bp.post("/refund/notify")
@openapi.definition(summary="WeChat Pay API v3 refund notification (called by WeChat Pay)")
async def refund_notify(request: Request):
    try:
        refund = request.app.ctx.wechat.pay.verify_refund_notification(request.headers, request.body)
    except NotificationRejected as exc:
        log.warning("refund notification refused: %s", exc.reason)
        return _fail(exc.reason)
    try:
        await orders.settle_refund(refund=refund)
    except NotFound:
        return _fail("unknown order")
    except Conflict as exc:
        return _fail(exc.message, status=409)
    except Exception:
        log.exception("refund notification could not be settled")
        return _fail("temporarily unable to settle", status=500)
    return empty(status=204)
