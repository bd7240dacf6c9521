"""WeChat Pay's wire formats as pure functions: signatures, encrypted resources, v3 and v2 notifications.

Shared by the sandbox server, the tests and the benchmarks; nothing here holds state.

- signing (both directions): https://pay.weixin.qq.com/doc/v3/merchant/4012365334
- notifications: https://pay.weixin.qq.com/doc/v3/merchant/4012791902
- API v2 notification: https://pay.weixin.qq.com/wiki/doc/api/wxa/wxa_api.php?chapter=9_7
"""

from __future__ import annotations

import base64
import json
import secrets
import string
import time
import uuid
from datetime import datetime, timedelta, timezone
from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from wechatpy.pay.utils import calculate_signature, calculate_signature_hmac

SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
CHINA_TZ = timezone(timedelta(hours=8), "Asia/Shanghai")
_ALNUM = string.ascii_letters + string.digits

TRADE_STATE_DESC = {
    "NOTPAY": "订单未支付",
    "SUCCESS": "支付成功",
    "CLOSED": "订单已关闭",
    "REFUND": "转入退款",
}


def random_string(length: int = 32) -> str:
    """Random letters and digits, as WeChat Pay's nonces."""
    return "".join(secrets.choice(_ALNUM) for _ in range(length))


def random_digits(length: int) -> str:
    """Random decimal digits."""
    return "".join(secrets.choice(string.digits) for _ in range(length))


def rfc3339(ts: float | None = None) -> str:
    """A time as WeChat Pay writes it: RFC 3339 at +08:00, whole seconds."""
    moment = datetime.fromtimestamp(time.time() if ts is None else ts, CHINA_TZ)
    return moment.isoformat(timespec="seconds")


def new_transaction_id() -> str:
    """A WeChat Pay transaction id: 4200 and 24 digits."""
    return "4200" + random_digits(24)


def new_refund_id() -> str:
    """A WeChat Pay refund id: 50 and 27 digits."""
    return "50" + random_digits(27)


def new_prepay_id() -> str:
    """A prepay id: wx, the time, 20 more characters."""
    stamp = datetime.now(CHINA_TZ).strftime("%Y%m%d%H%M%S")
    return "wx" + stamp + "".join(secrets.choice(string.digits + "abcdef") for _ in range(20))


@lru_cache(maxsize=16)
def _private_key(pem: bytes):
    return serialization.load_pem_private_key(pem, password=None)


@lru_cache(maxsize=16)
def _public_key(pem: bytes):
    return serialization.load_pem_public_key(pem)


def sign_message(private_key_pem: bytes, message: str) -> str:
    """Base64 RSA-SHA256 (PKCS#1 v1.5) signature of a message."""
    signature = _private_key(private_key_pem).sign(message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def verify_message(public_key_pem: bytes, message: str, signature_b64: str) -> bool:
    """Whether a base64 RSA-SHA256 signature of the message verifies with the public key."""
    try:
        signature = base64.b64decode(signature_b64, validate=True)
        _public_key(public_key_pem).verify(signature, message.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def merchant_authorization(private_key_pem: bytes, *, mchid: str, serial_no: str, method: str, path: str,
                           body: str = "", timestamp: int | None = None, nonce: str | None = None) -> str:
    """The Authorization header a merchant sends to API v3."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or random_string(32)
    signature = sign_message(private_key_pem, f"{method}\n{path}\n{timestamp}\n{nonce}\n{body}\n")
    return (f'{SIGNATURE_TYPE} mchid="{mchid}",nonce_str="{nonce}",signature="{signature}",'
            f'timestamp="{timestamp}",serial_no="{serial_no}"')


def notification_headers(private_key_pem: bytes, public_key_id: str, body: str, timestamp: int | None = None,
                         nonce: str | None = None) -> dict:
    """The Wechatpay-* headers WeChat Pay puts on its answers and notifications."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = nonce or random_string(32)
    return {
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Serial": public_key_id,
        "Wechatpay-Signature-Type": SIGNATURE_TYPE,
        "Wechatpay-Signature": sign_message(private_key_pem, f"{timestamp}\n{nonce}\n{body}\n"),
        "Content-Type": "application/json",
    }


def encrypt_resource(apiv3_key: str, plaintext: str, associated_data: str, nonce: str | None = None, *,
                     original_type: str | None = None) -> dict:
    """The `resource` object of a notification: AEAD_AES_256_GCM with the APIv3 key."""
    nonce = nonce or random_string(12)
    ciphertext = AESGCM(apiv3_key.encode("utf-8")).encrypt(
        nonce.encode("utf-8"), plaintext.encode("utf-8"), associated_data.encode("utf-8")
    )
    return {
        "original_type": original_type or associated_data,
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode("ascii"),
        "associated_data": associated_data,
        "nonce": nonce,
    }


def dumps(payload) -> str:
    """Compact JSON with CJK kept as is, as WeChat Pay writes it."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def transaction_view(*, appid: str, mchid: str, out_trade_no: str, total: int, openid: str,
                     trade_state: str = "NOTPAY", transaction_id: str | None = None, success_time: str | None = None,
                     bank_type: str = "OTHERS", attach: str | None = None) -> dict:
    """A transaction in the shape of the query answer and of the notification's plaintext."""
    view: dict = {"appid": appid, "mchid": mchid, "out_trade_no": out_trade_no}
    paid = trade_state in ("SUCCESS", "REFUND")
    if paid and transaction_id:
        view["transaction_id"] = transaction_id
    view.update({"trade_type": "JSAPI", "trade_state": trade_state,
                 "trade_state_desc": TRADE_STATE_DESC.get(trade_state, trade_state)})
    if paid:
        view["bank_type"] = bank_type
    if attach:
        view["attach"] = attach
    if paid and success_time:
        view["success_time"] = success_time
    view["payer"] = {"openid": openid}
    amount: dict = {"total": total, "currency": "CNY"}
    if paid:
        amount.update({"payer_total": total, "payer_currency": "CNY"})
    view["amount"] = amount
    if paid:
        view["promotion_detail"] = []
    return view


def build_notification(*, apiv3_key: str, event_type: str, summary: str, original_type: str, plaintext: dict,
                       notification_id: str | None = None, create_time: str | None = None) -> str:
    """A v3 notification body with its resource encrypted."""
    body = {
        "id": notification_id or str(uuid.uuid4()),
        "create_time": create_time or rfc3339(),
        "resource_type": "encrypt-resource",
        "event_type": event_type,
        "summary": summary,
        "resource": encrypt_resource(apiv3_key, dumps(plaintext), original_type, original_type=original_type),
    }
    return dumps(body)


def build_transaction_notification(*, apiv3_key: str, appid: str, mchid: str, out_trade_no: str, total: int,
                                   openid: str, transaction_id: str | None = None, trade_state: str = "SUCCESS",
                                   success_time: str | None = None, attach: str | None = None,
                                   bank_type: str = "OTHERS") -> str:
    """The JSON body of a TRANSACTION.SUCCESS notification."""
    plaintext = transaction_view(
        appid=appid, mchid=mchid, out_trade_no=out_trade_no, total=total, openid=openid, trade_state=trade_state,
        transaction_id=transaction_id or new_transaction_id(), success_time=success_time or rfc3339(),
        bank_type=bank_type, attach=attach,
    )
    return build_notification(apiv3_key=apiv3_key, event_type="TRANSACTION.SUCCESS", summary="支付成功",
                              original_type="transaction", plaintext=plaintext)


def refund_view(*, mchid: str, out_trade_no: str, transaction_id: str, out_refund_no: str, refund_id: str,
                total: int, refund: int, success_time: str | None = None,
                user_received_account: str = "支付用户零钱") -> dict:
    """The plaintext of a REFUND.SUCCESS notification."""
    return {
        "mchid": mchid,
        "out_trade_no": out_trade_no,
        "transaction_id": transaction_id,
        "out_refund_no": out_refund_no,
        "refund_id": refund_id,
        "refund_status": "SUCCESS",
        "success_time": success_time or rfc3339(),
        "amount": {"total": total, "refund": refund, "payer_total": total, "payer_refund": refund},
        "user_received_account": user_received_account,
    }


def build_refund_notification(*, apiv3_key: str, mchid: str, out_trade_no: str, transaction_id: str,
                              out_refund_no: str, refund_id: str, total: int, refund: int,
                              success_time: str | None = None) -> str:
    """The JSON body of a REFUND.SUCCESS notification."""
    plaintext = refund_view(mchid=mchid, out_trade_no=out_trade_no, transaction_id=transaction_id,
                            out_refund_no=out_refund_no, refund_id=refund_id, total=total, refund=refund,
                            success_time=success_time)
    return build_notification(apiv3_key=apiv3_key, event_type="REFUND.SUCCESS", summary="退款成功",
                              original_type="refund", plaintext=plaintext)


def v2_sign(params: dict, key: str, sign_type: str) -> str:
    """API v2 signature: uppercase MD5 or HMAC-SHA256 over the sorted non-empty params and the key."""
    unsigned = {k: v for k, v in params.items() if k != "sign"}
    if sign_type == "MD5":
        return calculate_signature(unsigned, key)
    if sign_type == "HMAC-SHA256":
        return calculate_signature_hmac(unsigned, key)
    raise ValueError(f"unknown sign_type {sign_type!r}")


def v2_xml(params: dict) -> str:
    """API v2 XML: numbers bare, text in CDATA."""
    parts = ["<xml>"]
    for name, value in params.items():
        text = str(value)
        if isinstance(value, int) or (text.isascii() and text.isdigit()):
            parts.append(f"<{name}>{text}</{name}>")
        else:
            parts.append(f"<{name}><![CDATA[{text}]]></{name}>")
    parts.append("</xml>")
    return "".join(parts)


def v2_notification_params(*, appid: str, mch_id: str, key: str, out_trade_no: str, total_fee: int, openid: str,
                           transaction_id: str | None = None, sign_type: str = "MD5", time_end: str | None = None,
                           bank_type: str = "OTHERS", attach: str | None = None,
                           nonce_str: str | None = None) -> dict:
    """The signed parameters of an API v2 payment notification."""
    params: dict = {
        "return_code": "SUCCESS",
        "result_code": "SUCCESS",
        "appid": appid,
        "mch_id": mch_id,
        "nonce_str": nonce_str or random_string(32),
        "openid": openid,
        "is_subscribe": "N",
        "trade_type": "JSAPI",
        "bank_type": bank_type,
        "total_fee": total_fee,
        "cash_fee": total_fee,
        "fee_type": "CNY",
        "transaction_id": transaction_id or new_transaction_id(),
        "out_trade_no": out_trade_no,
        "time_end": time_end or datetime.now(CHINA_TZ).strftime("%Y%m%d%H%M%S"),
        "sign_type": sign_type,
    }
    if attach:
        params["attach"] = attach
    params["sign"] = v2_sign(params, key, sign_type)
    return params


def v2_notification_xml(*, appid: str, mch_id: str, key: str, out_trade_no: str, total_fee: int, openid: str,
                        transaction_id: str | None = None, sign_type: str = "MD5", time_end: str | None = None,
                        bank_type: str = "OTHERS", attach: str | None = None, nonce_str: str | None = None) -> str:
    """The XML body of an API v2 payment notification."""
    return v2_xml(v2_notification_params(
        appid=appid, mch_id=mch_id, key=key, out_trade_no=out_trade_no, total_fee=total_fee, openid=openid,
        transaction_id=transaction_id, sign_type=sign_type, time_end=time_end, bank_type=bank_type, attach=attach,
        nonce_str=nonce_str,
    ))


def time_end_of(success_time: str) -> str:
    """An RFC 3339 time as API v2's time_end (yyyyMMddHHmmss, Beijing time)."""
    return datetime.fromisoformat(success_time).astimezone(CHINA_TZ).strftime("%Y%m%d%H%M%S")
