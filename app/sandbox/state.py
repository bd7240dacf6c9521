"""The sandbox's memory: codes, tokens, grants, transactions, refunds and the records tests read back.

Every method here is synchronous, so one call is atomic within the event loop; handlers still take `lock`
around each read-modify-write so that a future `await` inside one cannot interleave with another request.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeGuard

from cryptography.hazmat.primitives import padding as sym_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from app.sandbox import wechatpay as wp
from app.sandbox.config import SandboxConfig
from app.sandbox.keys import SandboxKeys
from app.sandbox.notify import Notifier
from app.sandbox.subscribe import invalid_data_key

RECORD_KINDS = ("messages", "refused_messages", "prepays", "notifications", "tokens", "closes", "refunds",
                "subscriptions")
RECORDS_KEPT = 10_000
TOKEN_TTL_S = 7200
OLD_TOKEN_GRACE_S = 30
CODE_TTL_S = 300
PREPAY_TTL_S = 7200
MAX_TEMPLATES_PER_REQUEST = 3
OUT_TRADE_NO = re.compile(r"[A-Za-z0-9_\-|*]{6,32}")
OUT_REFUND_NO = re.compile(r"[A-Za-z0-9_\-|*@]{1,64}")
FAIL_SEND_MESSAGES = {
    -1: "system error",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit  mustslower  retry next minute",
    40001: "invalid credential",
    43101: "user refuse to accept the msg",
}


class WechatError(Exception):
    """A mini-program API refusal: HTTP 200 with errcode and errmsg."""

    def __init__(self, errcode: int, errmsg: str):
        super().__init__(f"{errcode} {errmsg}")
        self.errcode = errcode
        self.errmsg = errmsg


class PayError(Exception):
    """A WeChat Pay v3 refusal: an HTTP status with {"code", "message"}."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message


class ControlError(Exception):
    """A control-API refusal: a 4xx with {"error"}, or with the given payload."""

    def __init__(self, status: int, error: str, payload: dict | None = None):
        super().__init__(error)
        self.status = status
        self.payload = payload or {"error": error}


@dataclass
class Token:
    """An access token and when it stops working."""

    value: str
    endpoint: str
    expires_at: float


@dataclass
class Transaction:
    """One JSAPI order as WeChat Pay holds it."""

    appid: str
    mchid: str
    out_trade_no: str
    description: str
    notify_url: str
    total: int
    openid: str
    attach: str | None
    time_expire: str | None
    expire_at: float | None
    prepay_id: str
    prepay_at: float
    fingerprint: tuple
    trade_state: str = "NOTPAY"
    transaction_id: str | None = None
    success_time: str | None = None
    bank_type: str = "OTHERS"
    refunded: int = 0
    notifications: dict = field(default_factory=dict)

    def view(self) -> dict:
        """The query answer."""
        return wp.transaction_view(
            appid=self.appid, mchid=self.mchid, out_trade_no=self.out_trade_no, total=self.total, openid=self.openid,
            trade_state=self.trade_state, transaction_id=self.transaction_id, success_time=self.success_time,
            bank_type=self.bank_type, attach=self.attach,
        )

    def stored(self) -> dict:
        """The query answer plus what only the sandbox knows."""
        return {**self.view(), "prepay_id": self.prepay_id, "notify_url": self.notify_url,
                "description": self.description, "time_expire": self.time_expire, "refunded": self.refunded}


@dataclass
class Refund:
    """One refund as WeChat Pay holds it."""

    refund_id: str
    out_refund_no: str
    out_trade_no: str
    transaction_id: str
    total: int
    refund: int
    reason: str | None
    notify_url: str | None
    create_time: str
    status: str = "PROCESSING"
    success_time: str | None = None

    def view(self) -> dict:
        """The refund as the create and query answers show it."""
        data = {
            "refund_id": self.refund_id,
            "out_refund_no": self.out_refund_no,
            "transaction_id": self.transaction_id,
            "out_trade_no": self.out_trade_no,
            "channel": "ORIGINAL",
            "user_received_account": "支付用户零钱",
            "create_time": self.create_time,
            "status": self.status,
            "funds_account": "AVAILABLE",
            "amount": {
                "total": self.total, "refund": self.refund, "payer_total": self.total, "payer_refund": self.refund,
                "settlement_total": self.total, "settlement_refund": self.refund, "discount_refund": 0,
                "currency": "CNY", "refund_fee": 0,
            },
            "promotion_detail": [],
        }
        if self.success_time:
            data["success_time"] = self.success_time
        return data


@dataclass
class Delivery:
    """A notification to push to the merchant, with what the records should say about it."""

    url: str
    body: str
    protocol: str
    event_type: str
    out_trade_no: str
    out_refund_no: str | None = None


class Records:
    """What happened, per kind, newest last; bounded so a long demo does not grow without end."""

    def __init__(self) -> None:
        self._items: dict[str, deque] = {kind: deque(maxlen=RECORDS_KEPT) for kind in RECORD_KINDS}

    def add(self, kind: str, **fields) -> dict:
        """Append a record stamped with the time."""
        now = time.time()
        item = {**fields, "time": wp.rfc3339(now), "at": now}
        self._items[kind].append(item)
        return item

    def query(self, kind: str, *, openid: str | None = None, out_trade_no: str | None = None) -> list[dict]:
        """The records of a kind, optionally only one user's or one order's."""
        items = list(self._items[kind])
        if openid:
            items = [i for i in items if openid in (i.get("openid"), i.get("touser"))]
        if out_trade_no:
            items = [i for i in items if i.get("out_trade_no") == out_trade_no]
        return items

    def clear(self) -> None:
        """Forget every record (state such as transactions stays)."""
        for items in self._items.values():
            items.clear()


def _new_openid() -> str:
    return "o" + secrets.token_urlsafe(21)[:27]


def _positive_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _parse_time_expire(value: str) -> float:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("time_expire needs an offset")
    return moment.timestamp()


class SandboxState:
    """All state of one sandbox process, and the rules WeChat applies to it."""

    def __init__(self, config: SandboxConfig, keys: SandboxKeys):
        self.config = config
        self.merchant_public_pem = keys.merchant_public.read_bytes()
        self.platform_private_pem = keys.platform_private.read_bytes()
        self.lock = asyncio.Lock()
        self.records = Records()
        self.notifier = Notifier(records=self.records, platform_private_pem=self.platform_private_pem,
                                 public_key_id=config.public_key_id, retry_scale=config.retry_scale)
        self._login_codes: dict[str, tuple[str, str, float]] = {}
        self._phone_codes: dict[str, tuple[str, float]] = {}
        self._session_keys: dict[str, str] = {}
        self._unionids: dict[str, str] = {}
        self._tokens: dict[str, Token] = {}
        self._stable: Token | None = None
        self._plain: Token | None = None
        self._grants: dict[tuple[str, str], int] = {}
        self._fail_sends: tuple[int, int] = (0, 0)
        self._next_msgid = 2_000_000_000 + secrets.randbelow(10_000_000)
        self.transactions: dict[str, Transaction] = {}
        self._by_transaction_id: dict[str, str] = {}
        self._by_prepay_id: dict[str, str] = {}
        self.refunds: dict[str, Refund] = {}

    # ---- login and phone numbers -------------------------------------------------------------------

    def mint_login_code(self, openid: str | None, unionid: str | None) -> dict:
        """A wx.login code for this user (a new one when openid is None)."""
        self._purge_codes()
        openid = openid or _new_openid()
        if unionid:
            self._unionids[openid] = unionid
        unionid = self._unionids.setdefault(openid, _new_openid())
        code = secrets.token_hex(16)
        self._login_codes[code] = (openid, unionid, time.time() + CODE_TTL_S)
        return {"code": code, "openid": openid, "unionid": unionid}

    def code_to_session(self, appid: str, secret: str, js_code: str, grant_type: str) -> dict:
        """jscode2session: the code is spent; a fresh session key becomes the user's latest."""
        if appid != self.config.appid:
            raise WechatError(40013, "invalid appid")
        if secret != self.config.secret:
            raise WechatError(40125, "invalid appsecret")
        if grant_type != "authorization_code":
            raise WechatError(40002, "invalid grant_type")
        if not js_code:
            raise WechatError(41008, "missing code")
        entry = self._login_codes.pop(js_code, None)
        if entry is None or entry[2] < time.time():
            raise WechatError(40029, "invalid code")
        openid, unionid, _ = entry
        session_key = base64.b64encode(secrets.token_bytes(16)).decode("ascii")
        self._session_keys[openid] = session_key
        return {"openid": openid, "session_key": session_key, "unionid": unionid}

    def session_key(self, openid: str) -> str:
        """The latest session key issued to the user."""
        key = self._session_keys.get(openid)
        if key is None:
            raise ControlError(404, "no session_key for this openid: exchange a login code first")
        return key

    def mint_phone_code(self, phone: str) -> str:
        """A getPhoneNumber button code for this phone number."""
        self._purge_codes()
        code = secrets.token_hex(32)
        self._phone_codes[code] = (phone, time.time() + CODE_TTL_S)
        return code

    def phone_number(self, code: object) -> dict:
        """getuserphonenumber: the code is spent."""
        entry = self._phone_codes.pop(code, None) if isinstance(code, str) else None
        if entry is None or entry[1] < time.time():
            raise WechatError(40029, "invalid code")
        return {"errcode": 0, "errmsg": "ok", "phone_info": self._phone_info(entry[0], self.config.appid)}

    def encrypt_phone(self, openid: str, phone: str, appid: str | None) -> dict:
        """The legacy getPhoneNumber payload: AES-128-CBC with the user's latest session key."""
        key = base64.b64decode(self.session_key(openid))
        iv = secrets.token_bytes(16)
        plaintext = json.dumps(self._phone_info(phone, appid or self.config.appid), ensure_ascii=False).encode()
        padder = sym_padding.PKCS7(128).padder()
        padded = padder.update(plaintext) + padder.finalize()
        encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
        ciphertext = encryptor.update(padded) + encryptor.finalize()
        return {"encrypted_data": base64.b64encode(ciphertext).decode(), "iv": base64.b64encode(iv).decode()}

    @staticmethod
    def _phone_info(phone: str, appid: str) -> dict:
        return {"phoneNumber": phone, "purePhoneNumber": phone, "countryCode": "86",
                "watermark": {"timestamp": int(time.time()), "appid": appid}}

    def _purge_codes(self) -> None:
        now = time.time()
        for table in (self._login_codes, self._phone_codes):
            for code in [c for c, entry in table.items() if entry[-1] < now]:
                del table[code]

    # ---- access tokens -----------------------------------------------------------------------------

    def _check_app(self, appid: str, secret: str, grant_type: str) -> None:
        if grant_type != "client_credential":
            raise WechatError(40002, "invalid grant_type")
        if appid != self.config.appid:
            raise WechatError(40013, "invalid appid")
        if secret != self.config.secret:
            raise WechatError(40125, "invalid appsecret")

    def _issue_token(self, endpoint: str) -> Token:
        now = time.time()
        for value in [v for v, t in self._tokens.items() if t.expires_at < now]:
            del self._tokens[value]
        token = Token(secrets.token_urlsafe(96), endpoint, now + TOKEN_TTL_S)
        self._tokens[token.value] = token
        return token

    def _check_caller(self, endpoint: str, appid: str, secret: str, grant_type: str, force_refresh: bool) -> None:
        try:
            self._check_app(appid, secret, grant_type)
        except WechatError as exc:
            self.records.add("tokens", endpoint=endpoint, force_refresh=force_refresh, reused=False,
                             access_token=None, errcode=exc.errcode)
            raise

    def stable_token(self, appid: str, secret: str, grant_type: str, force_refresh: bool) -> dict:
        """stable_token: one token for every caller while valid; a forced refresh leaves the old one 30 s."""
        self._check_caller("stable_token", appid, secret, grant_type, force_refresh)
        now = time.time()
        current = self._stable
        reused = current is not None and current.expires_at > now and not force_refresh
        if not reused:
            if current is not None:
                current.expires_at = min(current.expires_at, now + OLD_TOKEN_GRACE_S)
            current = self._stable = self._issue_token("stable_token")
        assert current is not None  # reused only when a current token exists
        self.records.add("tokens", endpoint="stable_token", force_refresh=force_refresh, reused=reused,
                         access_token=current.value, errcode=0)
        return {"access_token": current.value, "expires_in": max(1, round(current.expires_at - now))}

    def plain_token(self, appid: str, secret: str, grant_type: str) -> dict:
        """cgi-bin/token: a new token each call, and the previous one stops working."""
        self._check_caller("token", appid, secret, grant_type, True)
        if self._plain is not None:
            self._plain.expires_at = 0
        token = self._plain = self._issue_token("token")
        self.records.add("tokens", endpoint="token", force_refresh=True, reused=False, access_token=token.value,
                         errcode=0)
        return {"access_token": token.value, "expires_in": TOKEN_TTL_S}

    def check_token(self, value: str | None) -> None:
        """Refuse a missing, unknown or expired access token."""
        if not value:
            raise WechatError(41001, "access_token missing")
        token = self._tokens.get(value)
        if token is None or token.expires_at <= time.time():
            raise WechatError(40001, "invalid credential")

    def expire_tokens(self, value: str | None = None) -> int:
        """Make one token, or all, expire now (tests of the app's refresh path)."""
        expired = 0
        for token in self._tokens.values():
            if (value is None or token.value == value) and token.expires_at > 0:
                token.expires_at = 0
                expired += 1
        return expired

    def token_counts(self) -> dict:
        """Calls per token endpoint since the last records reset."""
        counts = {"stable_token": 0, "token": 0}
        for item in self.records.query("tokens"):
            counts[item["endpoint"]] = counts.get(item["endpoint"], 0) + 1
        return counts

    # ---- subscribe messages ------------------------------------------------------------------------

    def subscribe(self, openid: str, template_ids: list[str], answer: str) -> dict:
        """What wx.requestSubscribeMessage answers; each acceptance is one send."""
        if not 0 < len(template_ids) <= MAX_TEMPLATES_PER_REQUEST:
            raise ControlError(400, f"template_ids must hold 1 to {MAX_TEMPLATES_PER_REQUEST} ids, as WeChat allows")
        grants = {}
        for template_id in template_ids:
            if answer == "accept":
                self._grants[(openid, template_id)] = self._grants.get((openid, template_id), 0) + 1
            grants[template_id] = answer
        self.records.add("subscriptions", openid=openid, grants=grants)
        return {"grants": grants}

    def grants_of(self, openid: str, template_id: str) -> int:
        """Unspent one-time grants of a user for a template."""
        return self._grants.get((openid, template_id), 0)

    def fail_sends(self, errcode: int, count: int) -> None:
        """Make the next `count` sends fail with errcode."""
        self._fail_sends = (errcode, count)

    def send_message(self, message: object) -> dict:
        """subscribe/send: refuse what WeChat refuses, else spend a grant and record the message."""
        if not isinstance(message, dict):
            raise WechatError(47001, "data format error")
        touser = message.get("touser")
        template_id = message.get("template_id")
        try:
            self._check_message(message, touser, template_id)
        except WechatError as exc:
            self.records.add("refused_messages", touser=touser, template_id=template_id,
                             data=message.get("data"), errcode=exc.errcode, errmsg=exc.errmsg)
            raise
        assert isinstance(touser, str) and isinstance(template_id, str)  # _check_message refused anything else
        self._grants[(touser, template_id)] -= 1
        msgid = self._next_msgid
        self._next_msgid += 1
        self.records.add("messages", touser=touser, template_id=template_id, data=message.get("data"),
                         page=message.get("page"), miniprogram_state=message.get("miniprogram_state"),
                         lang=message.get("lang"), msgid=msgid)
        return {"errcode": 0, "errmsg": "ok", "msgid": msgid}

    def _check_message(self, message: dict, touser, template_id) -> None:
        errcode, remaining = self._fail_sends
        if remaining > 0:
            self._fail_sends = (errcode, remaining - 1)
            raise WechatError(errcode, FAIL_SEND_MESSAGES.get(errcode, "sandbox injected failure"))
        if not isinstance(touser, str) or not touser:
            raise WechatError(40003, "invalid openid")
        if not isinstance(template_id, str) or not template_id:
            raise WechatError(40037, "invalid template_id")
        if message.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
            raise WechatError(47003, "argument invalid! miniprogram_state invalid")
        if message.get("lang", "zh_CN") not in ("zh_CN", "en_US", "zh_HK", "zh_TW"):
            raise WechatError(47003, "argument invalid! lang invalid")
        page = message.get("page")
        if page is not None and not isinstance(page, str):
            raise WechatError(47003, "argument invalid! page invalid")
        bad_key = invalid_data_key(message.get("data"))
        if bad_key == "":
            raise WechatError(47003, "argument invalid! data invalid")
        if bad_key is not None:
            raise WechatError(47003, f"argument invalid! data.{bad_key}.value invalid")
        if self._grants.get((touser, template_id), 0) <= 0:
            raise WechatError(43101, "user refuse to accept the msg")

    # ---- WeChat Pay: orders ------------------------------------------------------------------------

    def prepay(self, data: dict) -> str:
        """JSAPI prepay: create the order, or answer the same prepay_id for the same order again."""
        missing = [k for k in ("appid", "mchid", "description", "out_trade_no", "notify_url", "amount", "payer")
                   if not data.get(k)]
        if missing:
            raise PayError(400, "PARAM_ERROR", f"输入源“/body/{missing[0]}”映射到字段“{missing[0]}”必填性规则校验失败")
        if data["appid"] != self.config.appid:
            raise PayError(400, "PARAM_ERROR", "appid和mch_id不匹配，请检查后再试")
        if data["mchid"] != self.config.mchid:
            raise PayError(400, "PARAM_ERROR", "mchid与请求的商户号不一致")
        amount, payer = data["amount"], data["payer"]
        total = amount.get("total") if isinstance(amount, dict) else None
        if not isinstance(total, int) or isinstance(total, bool) or total <= 0:
            raise PayError(400, "PARAM_ERROR", "amount.total必须为大于0的整数")
        if (amount.get("currency") or "CNY") != "CNY":
            raise PayError(400, "PARAM_ERROR", "amount.currency只支持CNY")
        openid = payer.get("openid") if isinstance(payer, dict) else None
        if not isinstance(openid, str) or not openid:
            raise PayError(400, "PARAM_ERROR", "payer.openid必填")
        out_trade_no, description = data["out_trade_no"], data["description"]
        if not isinstance(out_trade_no, str) or not OUT_TRADE_NO.fullmatch(out_trade_no):
            raise PayError(400, "PARAM_ERROR", "out_trade_no为6-32位数字、大小写字母、_-|*")
        if not isinstance(description, str) or len(description) > 127:
            raise PayError(400, "PARAM_ERROR", "description长度不能超过127")
        notify_url = data["notify_url"]
        if not isinstance(notify_url, str) or not notify_url.startswith(("http://", "https://")):
            raise PayError(400, "PARAM_ERROR", "notify_url格式不正确")
        expire_at = None
        if data.get("time_expire"):
            try:
                expire_at = _parse_time_expire(data["time_expire"])
            except (TypeError, ValueError) as exc:
                raise PayError(400, "PARAM_ERROR", "time_expire格式不正确，应为rfc3339格式") from exc
        attach = data.get("attach")
        fingerprint = (description, total, openid, attach)
        tx = self.transactions.get(out_trade_no)
        if tx is not None:
            if tx.trade_state == "CLOSED":
                raise PayError(400, "ORDER_CLOSED", "订单已关闭")
            if tx.trade_state in ("SUCCESS", "REFUND"):
                raise PayError(400, "ORDERPAID", "该订单已支付")
            if tx.fingerprint != fingerprint:
                raise PayError(400, "INVALID_REQUEST", "201 商户订单号重复")
            if tx.prepay_at + PREPAY_TTL_S < time.time():
                self._by_prepay_id.pop(tx.prepay_id, None)
                tx.prepay_id, tx.prepay_at = wp.new_prepay_id(), time.time()
                self._by_prepay_id[tx.prepay_id] = out_trade_no
            self.records.add("prepays", out_trade_no=out_trade_no, prepay_id=tx.prepay_id, openid=openid,
                             total=total, description=description, notify_url=tx.notify_url, repeat=True)
            return tx.prepay_id
        tx = Transaction(
            appid=data["appid"], mchid=data["mchid"], out_trade_no=out_trade_no, description=description,
            notify_url=notify_url, total=total, openid=openid, attach=attach, time_expire=data.get("time_expire"),
            expire_at=expire_at, prepay_id=wp.new_prepay_id(), prepay_at=time.time(), fingerprint=fingerprint,
        )
        self.transactions[out_trade_no] = tx
        self._by_prepay_id[tx.prepay_id] = out_trade_no
        self.records.add("prepays", out_trade_no=out_trade_no, prepay_id=tx.prepay_id, openid=openid, total=total,
                         description=description, notify_url=notify_url, repeat=False)
        return tx.prepay_id

    def transaction(self, out_trade_no: str | None = None, transaction_id: str | None = None) -> Transaction:
        """A transaction by either number, or ORDER_NOT_EXIST."""
        if transaction_id is not None:
            out_trade_no = self._by_transaction_id.get(transaction_id)
        tx = self.transactions.get(out_trade_no) if out_trade_no else None
        if tx is None:
            raise PayError(404, "ORDER_NOT_EXIST", "订单不存在")
        return tx

    def close(self, out_trade_no: str) -> None:
        """Close an unpaid order; closing twice is fine, closing a paid one is ORDERPAID."""
        try:
            tx = self.transaction(out_trade_no)
        except PayError:
            self.records.add("closes", out_trade_no=out_trade_no, result="not_found")
            raise
        if tx.trade_state in ("SUCCESS", "REFUND"):
            self.records.add("closes", out_trade_no=out_trade_no, result="paid")
            raise PayError(400, "ORDERPAID", "订单已支付")
        result = "already_closed" if tx.trade_state == "CLOSED" else "closed"
        tx.trade_state = "CLOSED"
        self.records.add("closes", out_trade_no=out_trade_no, result=result)

    def pay(self, out_trade_no: str, *, protocol: str = "v3", sign_type: str | None = None, force: bool = False,
            notify_url: str | None = None) -> tuple[Transaction, Delivery]:
        """The user paid: SUCCESS, and the notification WeChat Pay would send about it."""
        tx = self.transactions.get(out_trade_no)
        if tx is None:
            raise ControlError(404, f"unknown out_trade_no {out_trade_no!r}")
        if protocol == "v2" and not self.config.v2_key:
            raise ControlError(400, "protocol v2 needs the sandbox started with --v2-key")
        if tx.trade_state == "CLOSED" and not force:
            raise ControlError(409, "the transaction is CLOSED (force=true models paying as it closed)")
        if tx.trade_state in ("SUCCESS", "REFUND") and not force:
            raise ControlError(409, "the transaction is already paid (force=true re-sends its notification)")
        if tx.trade_state == "NOTPAY" and tx.expire_at is not None and tx.expire_at < time.time() and not force:
            raise ControlError(409, "the transaction expired (time_expire has passed)")
        if tx.trade_state in ("NOTPAY", "CLOSED"):
            tx.trade_state = "SUCCESS"
            tx.transaction_id = wp.new_transaction_id()
            tx.success_time = wp.rfc3339()
            self._by_transaction_id[tx.transaction_id] = tx.out_trade_no
        sign_type = (sign_type or "MD5") if protocol == "v2" else None
        key = (protocol, sign_type)
        if key not in tx.notifications:
            tx.notifications[key] = self._transaction_notification(tx, protocol, sign_type)
        return tx, Delivery(url=notify_url or tx.notify_url, body=tx.notifications[key], protocol=protocol,
                            event_type="TRANSACTION.SUCCESS", out_trade_no=tx.out_trade_no)

    def _transaction_notification(self, tx: Transaction, protocol: str, sign_type: str | None) -> str:
        if protocol == "v2":
            # pay() refuses v2 without a key, defaults its sign_type and has marked the transaction paid
            assert self.config.v2_key is not None and sign_type is not None and tx.success_time is not None
            return wp.v2_notification_xml(
                appid=tx.appid, mch_id=tx.mchid, key=self.config.v2_key, out_trade_no=tx.out_trade_no,
                total_fee=tx.total, openid=tx.openid, transaction_id=tx.transaction_id, sign_type=sign_type,
                time_end=wp.time_end_of(tx.success_time), bank_type=tx.bank_type, attach=tx.attach,
            )
        plaintext = wp.transaction_view(
            appid=tx.appid, mchid=tx.mchid, out_trade_no=tx.out_trade_no, total=tx.total, openid=tx.openid,
            trade_state="SUCCESS", transaction_id=tx.transaction_id, success_time=tx.success_time,
            bank_type=tx.bank_type, attach=tx.attach,
        )
        return wp.build_notification(apiv3_key=self.config.apiv3_key, event_type="TRANSACTION.SUCCESS",
                                     summary="支付成功", original_type="transaction", plaintext=plaintext)

    def request_payment(self, params: dict) -> str:
        """What wx.requestPayment checks before it lets the user pay; returns the out_trade_no."""
        def fail(reason: str) -> ControlError:
            return ControlError(400, reason, {"errMsg": f"requestPayment:fail {reason}"})

        fields = ("timeStamp", "nonceStr", "package", "signType", "paySign")
        if any(not isinstance(params.get(k), str) or not params.get(k) for k in fields):
            raise fail("parameter error: timeStamp, nonceStr, package, signType and paySign are required")
        if params["signType"] != "RSA":
            raise fail("invalid signType")
        package = params["package"]
        out_trade_no = self._by_prepay_id.get(package.removeprefix("prepay_id=")) if package.startswith(
            "prepay_id=") else None
        if out_trade_no is None:
            raise fail("prepay_id invalid")
        message = f"{self.config.appid}\n{params['timeStamp']}\n{params['nonceStr']}\n{package}\n"
        if not wp.verify_message(self.merchant_public_pem, message, params["paySign"]):
            raise fail("invalid paySign")
        tx = self.transactions[out_trade_no]
        if tx.prepay_at + PREPAY_TTL_S < time.time():
            raise fail("prepay_id expired")
        if tx.trade_state == "CLOSED":
            raise fail("order closed")
        if tx.trade_state in ("SUCCESS", "REFUND"):
            raise fail("order paid")
        if tx.expire_at is not None and tx.expire_at < time.time():
            raise fail("order expired")
        return out_trade_no

    # ---- WeChat Pay: refunds -----------------------------------------------------------------------

    def create_refund(self, data: dict) -> tuple[Refund, bool]:
        """Apply for a refund of a paid order (it starts PROCESSING); a repeat answers the same refund."""
        out_refund_no = data.get("out_refund_no")
        if not isinstance(out_refund_no, str) or not OUT_REFUND_NO.fullmatch(out_refund_no):
            raise PayError(400, "PARAM_ERROR", "out_refund_no必填，1-64位")
        amount = data.get("amount")
        refund = amount.get("refund") if isinstance(amount, dict) else None
        total = amount.get("total") if isinstance(amount, dict) else None
        if not (isinstance(amount, dict) and _positive_int(refund) and _positive_int(total)):
            raise PayError(400, "PARAM_ERROR", "amount.refund和amount.total必须为大于0的整数")
        if (amount.get("currency") or "CNY") != "CNY":
            raise PayError(400, "PARAM_ERROR", "amount.currency只支持CNY")
        if data.get("transaction_id"):
            out_trade_no = self._by_transaction_id.get(data["transaction_id"])
        else:
            out_trade_no = data.get("out_trade_no")
        tx = self.transactions.get(out_trade_no) if isinstance(out_trade_no, str) else None
        if tx is None:
            raise PayError(404, "RESOURCE_NOT_EXISTS", "订单不存在")
        existing = self.refunds.get(out_refund_no)
        if existing is not None:
            if existing.out_trade_no != tx.out_trade_no or existing.refund != refund:
                raise PayError(400, "INVALID_REQUEST", "退款单号重复，且退款参数与原请求不一致")
            return existing, False
        if tx.trade_state not in ("SUCCESS", "REFUND"):
            raise PayError(400, "INVALID_REQUEST", "订单未支付，不能退款")
        assert tx.transaction_id is not None  # every paid transaction has one
        if total != tx.total:
            raise PayError(400, "INVALID_REQUEST", "订单金额与原订单金额不一致")
        if tx.refunded + refund > tx.total:
            raise PayError(400, "INVALID_REQUEST", "申请退款金额超过订单可退金额")
        record = Refund(
            refund_id=wp.new_refund_id(), out_refund_no=out_refund_no, out_trade_no=tx.out_trade_no,
            transaction_id=tx.transaction_id, total=tx.total, refund=refund, reason=data.get("reason"),
            notify_url=data.get("notify_url") or None, create_time=wp.rfc3339(),
        )
        tx.refunded += refund
        self.refunds[out_refund_no] = record
        self.records.add("refunds", out_trade_no=tx.out_trade_no, out_refund_no=out_refund_no,
                         refund_id=record.refund_id, refund=refund, total=tx.total, status="PROCESSING")
        return record, True

    def refund(self, out_refund_no: str) -> Refund:
        """A refund by the merchant's number, or RESOURCE_NOT_EXISTS."""
        record = self.refunds.get(out_refund_no)
        if record is None:
            raise PayError(404, "RESOURCE_NOT_EXISTS", "退款单不存在")
        return record

    def complete_refund(self, out_refund_no: str) -> Delivery | None:
        """The bank has paid the refund back: SUCCESS, and the notification when a notify_url was given."""
        record = self.refunds[out_refund_no]
        if record.status != "PROCESSING":
            return None
        record.status = "SUCCESS"
        record.success_time = wp.rfc3339()
        self.transactions[record.out_trade_no].trade_state = "REFUND"
        self.records.add("refunds", out_trade_no=record.out_trade_no, out_refund_no=out_refund_no,
                         refund_id=record.refund_id, refund=record.refund, total=record.total, status="SUCCESS")
        if not record.notify_url:
            return None
        body = wp.build_refund_notification(
            apiv3_key=self.config.apiv3_key, mchid=self.config.mchid, out_trade_no=record.out_trade_no,
            transaction_id=record.transaction_id, out_refund_no=out_refund_no, refund_id=record.refund_id,
            total=record.total, refund=record.refund, success_time=record.success_time,
        )
        return Delivery(url=record.notify_url, body=body, protocol="v3", event_type="REFUND.SUCCESS",
                        out_trade_no=record.out_trade_no, out_refund_no=out_refund_no)
