"""The WeChat edge: login, Pay v3/v2, subscribe messages, access token. Nothing outside knows WeChat's wire."""

from __future__ import annotations

import httpx

from app.settings import Settings
from app.wechat.login import WechatLoginClient
from app.wechat.messages import SubscribeMessageSender
from app.wechat.pay import WechatPayClient
from app.wechat.token import AccessTokenProvider


class WechatGateway:
    """All WeChat clients of one process, sharing one HTTP pool and one token cache."""

    def __init__(self, settings: Settings, cache):
        self.settings = settings
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=5.0))
        self.tokens = AccessTokenProvider(settings=settings, http=self.http, cache=cache)
        self.login = WechatLoginClient(settings=settings, http=self.http, tokens=self.tokens)
        self.pay = WechatPayClient(settings=settings)
        self.messages = SubscribeMessageSender(settings=settings, tokens=self.tokens)

    async def start(self) -> None:
        """Open the clients that hold connections."""
        await self.pay.start()

    async def close(self) -> None:
        """Close every pool."""
        await self.pay.close()
        await self.http.aclose()
