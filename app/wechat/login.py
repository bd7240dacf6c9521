"""Mini-program login and phone numbers.

- code2session: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
- getuserphonenumber: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html
- legacy encryptedData/iv: https://developers.weixin.qq.com/miniprogram/dev/framework/open-ability/signature.html

Calls go to WECHAT_API_BASE directly over httpx: wechatpy's code_to_session attaches an access token it
does not need, and 1.8.18 has no getuserphonenumber.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from wechatpy.crypto import WeChatWxaCrypto

from app.errors import DomainError, UpstreamUnavailable, WechatLoginFailed
from app.settings import Settings
from app.wechat.token import STALE_TOKEN_ERRCODES, AccessTokenProvider


class PhoneCodeInvalid(DomainError):
    code = "phone.code_invalid"
    status = 400
    message = "The phone-number code is invalid or used; tap the button again."


class PhoneDataInvalid(DomainError):
    code = "phone.data_invalid"
    status = 400
    message = "The encrypted phone data could not be read; log in again and retry."


@dataclass(frozen=True)
class WechatSession:
    """What code2session answers; session_key never leaves the server."""

    openid: str
    session_key: str
    unionid: str | None


class WechatLoginClient:
    """code2session and the two ways of reading a phone number."""

    def __init__(self, *, settings: Settings, http: httpx.AsyncClient, tokens: AccessTokenProvider):
        self._settings = settings
        self._http = http
        self._tokens = tokens

    async def code_to_session(self, code: str) -> WechatSession:
        """Exchange a wx.login code for the openid and session key."""
        params = {
            "appid": self._settings.wechat_appid,
            "secret": self._settings.wechat_secret,
            "js_code": code,
            "grant_type": "authorization_code",
        }
        try:
            response = await self._http.get(f"{self._settings.wechat_api_base}/sns/jscode2session", params=params)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise UpstreamUnavailable() from exc
        errcode = data.get("errcode", 0)
        if errcode in (40029, 40163, 40226):
            raise WechatLoginFailed()
        if errcode or not data.get("openid") or not data.get("session_key"):
            raise UpstreamUnavailable(f"WeChat login failed (errcode {errcode}).")
        return WechatSession(openid=data["openid"], session_key=data["session_key"], unionid=data.get("unionid"))

    async def phone_number_by_code(self, code: str) -> str:
        """The current API: a one-time code from the getPhoneNumber button."""
        token = await self._tokens.get()
        for attempt in (1, 2):
            try:
                response = await self._http.post(
                    f"{self._settings.wechat_api_base}/wxa/business/getuserphonenumber",
                    params={"access_token": token}, json={"code": code},
                )
                data = response.json()
            except (httpx.HTTPError, ValueError) as exc:
                raise UpstreamUnavailable() from exc
            errcode = data.get("errcode", 0)
            if errcode in STALE_TOKEN_ERRCODES and attempt == 1:
                token = await self._tokens.refresh(token)
                continue
            if errcode == 40029:
                raise PhoneCodeInvalid()
            if errcode:
                raise UpstreamUnavailable(f"WeChat did not give the phone number (errcode {errcode}).")
            return data["phone_info"]["purePhoneNumber"]
        raise UpstreamUnavailable()

    def decrypt_phone(self, *, session_key: str, encrypted_data: str, iv: str) -> str:
        """The legacy API: AES-128-CBC with the session key; the watermark's appid must be ours."""
        try:
            data = WeChatWxaCrypto(session_key, iv, self._settings.wechat_appid).decrypt_message(encrypted_data)
            return str(data["purePhoneNumber"])
        except Exception as exc:  # wrong key, padding, JSON, appid: all mean "not readable for us"
            raise PhoneDataInvalid() from exc
