"""The mini-program access token, from `cgi-bin/stable_token`, shared by every process through the cache.

https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
`stable_token` answers the same token to every caller while it is valid, so processes never invalidate
each other's token the way `cgi-bin/token` does.
"""

from __future__ import annotations

import httpx

from app.errors import UpstreamUnavailable
from app.settings import Settings

STALE_TOKEN_ERRCODES = {40001, 42001}


class AccessTokenProvider:
    """Fetches and caches the stable access token."""

    def __init__(self, *, settings: Settings, http: httpx.AsyncClient, cache):
        self._settings = settings
        self._http = http
        self._cache = cache
        self._key = f"wechat:access_token:{settings.wechat_appid}"

    async def get(self) -> str:
        """A valid access token, from the cache when it holds one."""
        token = await self._cache.get(self._key)
        if token:
            return token
        return await self._fetch(force_refresh=False)

    async def refresh(self, stale: str) -> str:
        """After WeChat called `stale` invalid: take what the cache or WeChat has now, forcing only if unchanged."""
        await self._cache.delete(self._key)
        token = await self._fetch(force_refresh=False)
        if token == stale:
            token = await self._fetch(force_refresh=True)
        return token

    async def _fetch(self, *, force_refresh: bool) -> str:
        body = {
            "grant_type": "client_credential",
            "appid": self._settings.wechat_appid,
            "secret": self._settings.wechat_secret,
            "force_refresh": force_refresh,
        }
        try:
            response = await self._http.post(f"{self._settings.wechat_api_base}/cgi-bin/stable_token", json=body)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise UpstreamUnavailable("WeChat did not issue an access token.") from exc
        token = data.get("access_token")
        if not token:
            raise UpstreamUnavailable(f"WeChat refused an access token (errcode {data.get('errcode')}).")
        # renew five minutes early, so no caller holds a token in its last moments
        ttl = max(60, int(data.get("expires_in", 7200)) - 300)
        await self._cache.set(self._key, token, ex=ttl)
        return token
