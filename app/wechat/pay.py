"""WeChat Pay: JSAPI prepay, query and close (API v3, async), and verifying payment notifications (v3 and v2).

- JSAPI prepay: https://pay.weixin.qq.com/doc/v3/merchant/4012791897
- query by out_trade_no: https://pay.weixin.qq.com/doc/v3/merchant/4012791899
- close: https://pay.weixin.qq.com/doc/v3/merchant/4012791901
- notification: https://pay.weixin.qq.com/doc/v3/merchant/4012791902
- wx.requestPayment signature: https://pay.weixin.qq.com/doc/v3/merchant/4012791898
- API v2 notification (legacy): https://pay.weixin.qq.com/wiki/doc/api/wxa/wxa_api.php?chapter=9_7
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from xml.parsers.expat import ExpatError

import xmltodict
from wechatpayv3.async_ import AsyncWeChatPay
from wechatpayv3.async_.type import WeChatPayType
from wechatpy.pay.utils import calculate_signature, calculate_signature_hmac

from app.errors import Conflict, UpstreamUnavailable
from app.settings import Settings


class NotificationRejected(Exception):
    """A notification we do not believe; `reason` goes to the log and back to WeChat Pay, never more."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class PaidTransaction:
    """A verified statement from WeChat Pay that a transaction succeeded."""

    out_trade_no: str
    transaction_id: str
    total_fen: int
    openid: str | None
    appid: str | None
    mchid: str | None
    success_time: datetime | None


class WechatPayClient:
    """Pay v3 through wechatpayv3's async client, with the gateway at WECHAT_PAY_API_BASE."""

    def __init__(self, *, settings: Settings):
        self._settings = settings
        self._pay = AsyncWeChatPay(
            wechatpay_type=WeChatPayType.MINIPROG,
            mchid=settings.pay_mchid,
            private_key=Path(settings.pay_private_key_path).read_text(),
            cert_serial_no=settings.pay_cert_serial,
            appid=settings.wechat_appid,
            apiv3_key=settings.pay_apiv3_key,
            notify_url=settings.notify_url,
            public_key=Path(settings.pay_public_key_path).read_text(),
            public_key_id=settings.pay_public_key_id,
            timeout=(5, 10),
        )
        # wechatpayv3 has no option for the gateway; production and the sandbox differ only here
        self._pay._core._gate_way = settings.pay_api_base

    async def start(self) -> None:
        """Open the HTTP pool (wechatpayv3 creates it on context entry)."""
        await self._pay.__aenter__()

    async def close(self) -> None:
        """Close the HTTP pool."""
        await self._pay.__aexit__(None, None, None)

    async def prepay(self, *, out_trade_no: str, description: str, total_fen: int, openid: str,
                     time_expire: datetime) -> str:
        """Create the JSAPI prepay; returns prepay_id."""
        try:
            code, text = await self._pay.pay(
                description=description[:127], out_trade_no=out_trade_no,
                amount={"total": total_fen, "currency": "CNY"}, payer={"openid": openid},
                time_expire=time_expire.isoformat(timespec="seconds"), pay_type=WeChatPayType.MINIPROG,
            )
        except Exception as exc:  # network, or an answer whose signature did not verify
            raise UpstreamUnavailable("WeChat Pay did not answer; try again.") from exc
        if code != 200:
            raise UpstreamUnavailable(f"WeChat Pay refused the order ({_code_of(text)}).")
        return json.loads(text)["prepay_id"]

    def jsapi_params(self, prepay_id: str) -> dict:
        """The signed parameters of wx.requestPayment."""
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(16)
        package = f"prepay_id={prepay_id}"
        pay_sign = self._pay.sign([self._settings.wechat_appid, timestamp, nonce, package])
        return {"timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA", "paySign": pay_sign}

    async def query(self, out_trade_no: str) -> dict | None:
        """The transaction as WeChat Pay sees it, or None when it does not know it."""
        try:
            code, text = await self._pay.query(out_trade_no=out_trade_no)
        except Exception as exc:
            raise UpstreamUnavailable() from exc
        if code == 404:
            return None
        if code != 200:
            raise UpstreamUnavailable(f"WeChat Pay query failed ({_code_of(text)}).")
        return json.loads(text)

    async def close_order(self, out_trade_no: str) -> None:
        """Close an unpaid order at WeChat Pay; Conflict when it was paid meanwhile."""
        try:
            code, text = await self._pay.close(out_trade_no)
        except Exception as exc:
            raise UpstreamUnavailable() from exc
        if code in (200, 204):
            return
        if _code_of(text) == "ORDERPAID":
            raise Conflict("The order was paid.", code="order.paid")
        if code == 404:
            return
        raise UpstreamUnavailable(f"WeChat Pay close failed ({_code_of(text)}).")

    def paid_from_query(self, data: dict) -> PaidTransaction | None:
        """A query answer that says SUCCESS, as a PaidTransaction."""
        if data.get("trade_state") != "SUCCESS":
            return None
        return _paid_from_resource(data)

    def _verified_event(self, headers, body: bytes) -> dict:
        """Signature (platform public key), timestamp window and AEAD decryption of a v3 notification."""
        names = ("Wechatpay-Signature", "Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Serial")
        for name in names:
            if not headers.get(name):
                raise NotificationRejected(f"missing header {name}")
        if headers.get("Wechatpay-Serial") != self._settings.pay_public_key_id:
            raise NotificationRejected("unknown Wechatpay-Serial")
        try:
            timestamp = int(headers.get("Wechatpay-Timestamp"))
        except ValueError as exc:
            raise NotificationRejected("bad timestamp") from exc
        # wechatpayv3 does not look at the age: a replayed notification is refused here
        if abs(time.time() - timestamp) > self._settings.notify_max_age_s:
            raise NotificationRejected("stale timestamp")
        signed = {name: headers.get(name) for name in names}
        signed["Wechatpay-Signature-Type"] = headers.get("Wechatpay-Signature-Type") or "WECHATPAY2-SHA256-RSA2048"
        try:
            data = self._pay.callback(signed, body.decode("utf-8"))
        except Exception as exc:  # unreadable body, unknown algorithm, bad base64, decryption failure
            raise NotificationRejected("unverifiable notification") from exc
        if not data or not isinstance(data.get("resource"), dict):
            raise NotificationRejected("bad signature or undecryptable resource")
        return data

    def verify_notification(self, headers, body: bytes) -> PaidTransaction:
        """A verified TRANSACTION.SUCCESS; amount and payer are checked against our order by the caller."""
        data = self._verified_event(headers, body)
        if data.get("event_type") != "TRANSACTION.SUCCESS" or data["resource"].get("trade_state") != "SUCCESS":
            raise NotificationRejected(f"unexpected event {data.get('event_type')}")
        return _paid_from_resource(data["resource"])

    def verify_refund_notification(self, headers, body: bytes) -> dict:
        """A verified REFUND.* event; returns the decrypted refund."""
        data = self._verified_event(headers, body)
        if not str(data.get("event_type", "")).startswith("REFUND."):
            raise NotificationRejected(f"unexpected event {data.get('event_type')}")
        if data["resource"].get("mchid") != self._settings.pay_mchid:
            raise NotificationRejected("merchant mismatch")
        return data["resource"]

    def verify_v2_notification(self, body: bytes) -> PaidTransaction:
        """Legacy XML: parse safely, check MD5 or HMAC-SHA256 by sign_type in constant time."""
        key = self._settings.pay_v2_key
        if not key:
            raise NotificationRejected("API v2 is not enabled")
        try:
            parsed = xmltodict.parse(body, disable_entities=True)
        except (ExpatError, ValueError, TypeError) as exc:  # truncated, not XML, or an entity declaration
            raise NotificationRejected("malformed XML") from exc
        data = parsed.get("xml") if isinstance(parsed, dict) else None
        if not isinstance(data, dict) or any(not isinstance(v, str | None) for v in data.values()):
            raise NotificationRejected("malformed XML")
        params = {k: v for k, v in data.items() if v is not None}
        received = params.pop("sign", "")
        sign_type = params.get("sign_type", "MD5")
        if sign_type == "HMAC-SHA256":
            expected = calculate_signature_hmac(params, key)
        elif sign_type == "MD5":
            expected = calculate_signature(params, key)
        else:
            raise NotificationRejected("unknown sign_type")
        if not hmac.compare_digest(expected.encode(), received.upper().encode()):
            raise NotificationRejected("bad signature")
        if params.get("return_code") != "SUCCESS" or params.get("result_code") != "SUCCESS":
            raise NotificationRejected("not a successful payment")
        try:
            total = int(params["total_fee"])
            out_trade_no = params["out_trade_no"]
            transaction_id = params["transaction_id"]
        except (KeyError, ValueError) as exc:
            raise NotificationRejected("missing fields") from exc
        success_time = None
        if params.get("time_end"):
            try:
                from app.services.rules import BUSINESS_TZ

                success_time = datetime.strptime(params["time_end"], "%Y%m%d%H%M%S").replace(tzinfo=BUSINESS_TZ)
            except ValueError:
                success_time = None
        return PaidTransaction(
            out_trade_no=out_trade_no, transaction_id=transaction_id, total_fen=total, openid=params.get("openid"),
            appid=params.get("appid"), mchid=params.get("mch_id"), success_time=success_time,
        )


def _paid_from_resource(resource: dict) -> PaidTransaction:
    try:
        amount = resource["amount"]
        total = int(amount["total"])
        success_time = datetime.fromisoformat(resource["success_time"]) if resource.get("success_time") else None
        return PaidTransaction(
            out_trade_no=str(resource["out_trade_no"]), transaction_id=str(resource["transaction_id"]),
            total_fen=total, openid=(resource.get("payer") or {}).get("openid"), appid=resource.get("appid"),
            mchid=resource.get("mchid"), success_time=success_time,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NotificationRejected("transaction fields missing") from exc


def _code_of(text) -> str:
    try:
        return json.loads(text).get("code", "?")
    except (ValueError, TypeError, AttributeError):
        return "?"
