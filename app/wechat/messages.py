"""Subscribe messages: formatting values to what WeChat accepts, and sending through wechatpy.

https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
Each value is typed by its keyword (`thing1` is a `thing`); WeChat refuses a value that does not fit
(errcode 47003), so every value is formatted and truncated here before it is queued.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime

from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from app.settings import Settings
from app.wechat.token import STALE_TOKEN_ERRCODES, AccessTokenProvider

NO_GRANT_ERRCODE = 43101
INVALID_VALUE_ERRCODE = 47003
_NOT_RETRIED = {NO_GRANT_ERRCODE, INVALID_VALUE_ERRCODE, 40003}  # no grant, bad value, bad openid


def _keyword_type(key: str) -> str:
    return re.sub(r"\d+$", "", key)


def format_value(key: str, value) -> str:
    """A value that fits the keyword's type: truncated, digits only, or formatted time, as the type demands."""
    kind = _keyword_type(key)
    if kind == "thing":
        text = str(value)
        return text if len(text) <= 20 else text[:19] + "…"
    if kind == "number":
        text = re.sub(r"[^0-9.]", "", str(value))
        return text[:32] or "0"
    if kind == "amount":
        fen = int(value)
        return f"{fen // 100}.{fen % 100:02d}元"
    if kind == "character_string":
        return re.sub(r"[^\x21-\x7e]", "", str(value))[:32]
    if kind == "time":
        if isinstance(value, datetime):
            from app.services.rules import BUSINESS_TZ

            return value.astimezone(BUSINESS_TZ).strftime("%Y-%m-%d %H:%M")
        return str(value)[:16]
    if kind == "car_number":
        return str(value)[:8]
    if kind == "phrase":
        return str(value)[:5]
    return str(value)[:20]


@dataclass(frozen=True)
class SendResult:
    """What came of one send: ok, or an errcode and whether trying again could help."""

    ok: bool
    errcode: int = 0
    errmsg: str = ""
    retryable: bool = False

    @property
    def no_grant(self) -> bool:
        """WeChat says the driver holds no grant for the template (refused, or spent elsewhere)."""
        return self.errcode == NO_GRANT_ERRCODE


class SubscribeMessageSender:
    """Sends through wechatpy's WeChatClient (synchronous, so in a thread) at WECHAT_API_BASE."""

    def __init__(self, *, settings: Settings, tokens: AccessTokenProvider):
        self._settings = settings
        self._tokens = tokens

    def _client(self, token: str) -> WeChatClient:
        # auto_retry would refresh through the hard-coded cgi-bin/token URL and invalidate every other
        # process's token; stale tokens are refreshed here through stable_token instead
        client = WeChatClient(self._settings.wechat_appid, self._settings.wechat_secret, access_token=token,
                              timeout=10, auto_retry=False)
        client.API_BASE_URL = f"{self._settings.wechat_api_base}/cgi-bin/"
        client.wxa.API_BASE_URL = f"{self._settings.wechat_api_base}/"
        return client

    def _send_blocking(self, token: str, payload: dict) -> SendResult:
        try:
            self._client(token).wxa.send_subscribe_message(
                payload["touser"], payload["template_id"], payload["data"], page=payload.get("page"),
            )
            return SendResult(ok=True)
        except WeChatClientException as exc:
            code = int(exc.errcode or -1)
            return SendResult(ok=False, errcode=code, errmsg=str(exc.errmsg)[:200], retryable=code not in _NOT_RETRIED)
        except Exception as exc:  # network: worth another try later
            return SendResult(ok=False, errcode=-1, errmsg=f"{type(exc).__name__}: {exc}"[:200], retryable=True)

    async def send(self, payload: dict) -> SendResult:
        """Send one message; a stale access token is refreshed and the send tried once more."""
        try:
            token = await self._tokens.get()
        except Exception as exc:
            return SendResult(ok=False, errcode=-1, errmsg=str(exc)[:200], retryable=True)
        result = await asyncio.to_thread(self._send_blocking, token, payload)
        if not result.ok and result.errcode in STALE_TOKEN_ERRCODES:
            token = await self._tokens.refresh(token)
            result = await asyncio.to_thread(self._send_blocking, token, payload)
        return result


def template_id_for(settings: Settings, template: str) -> str:
    """The configured WeChat template id of one of our templates."""
    return {"points_credited": settings.template_points_credited}[template]


def render(settings: Settings, message: dict) -> dict:
    """An outbox message (template name + plain values) as subscribe/send's body, each value formatted."""
    values = message["values"]
    if message["template"] == "points_credited":
        keyed = {
            "character_string1": values["out_trade_no"],
            "amount2": values["paid_fen"],
            "number3": values["points"],
            "number4": values["balance"],
            "thing5": values["station_name"],
            "time6": datetime.fromisoformat(values["paid_at"]),
        }
        page = f"{settings.result_page}?out_trade_no={values['out_trade_no']}"
    else:
        raise ValueError(f"unknown template {message['template']}")
    return {
        "touser": message["openid"],
        "template_id": template_id_for(settings, message["template"]),
        "page": page,
        "data": {key: {"value": format_value(key, value)} for key, value in keyed.items()},
    }
