"""WeChat's mini-program server APIs: code2session, access tokens, phone numbers, subscribe messages.

- code2session: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-login/code2Session.html
- stable_token: https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-access-token/getStableAccessToken.html
- getuserphonenumber:
  https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/user-info/phone-number/getPhoneNumber.html
- subscribe send:
  https://developers.weixin.qq.com/miniprogram/dev/OpenApiDoc/mp-message-management/subscribe-message/sendMessage.html
"""

from __future__ import annotations

from sanic import Request, Sanic

from app.sandbox.replies import json_body, json_reply
from app.sandbox.state import SandboxState, WechatError


def install(app: Sanic, state: SandboxState) -> None:
    """Add the mini-program API routes; WechatError becomes an errcode answer in server.py."""

    @app.get("/sns/jscode2session")
    async def jscode2session(request: Request):
        args = request.args
        async with state.lock:
            session = state.code_to_session(args.get("appid", ""), args.get("secret", ""),
                                            args.get("js_code", ""), args.get("grant_type", ""))
        return json_reply(session)

    @app.post("/cgi-bin/stable_token")
    async def stable_token(request: Request):
        data = json_body(request)
        if not isinstance(data, dict):
            raise WechatError(47001, "data format error")
        force = data.get("force_refresh", False)
        async with state.lock:
            token = state.stable_token(str(data.get("appid", "")), str(data.get("secret", "")),
                                       str(data.get("grant_type", "")), force is True or force == "true")
        return json_reply(token)

    @app.get("/cgi-bin/token")
    async def plain_token(request: Request):
        args = request.args
        async with state.lock:
            token = state.plain_token(args.get("appid", ""), args.get("secret", ""), args.get("grant_type", ""))
        return json_reply(token)

    @app.post("/wxa/business/getuserphonenumber")
    async def getuserphonenumber(request: Request):
        async with state.lock:
            state.check_token(request.args.get("access_token"))
            data = json_body(request)
            if not isinstance(data, dict):
                raise WechatError(47001, "data format error")
            answer = state.phone_number(data.get("code"))
        return json_reply(answer)

    @app.post("/cgi-bin/message/subscribe/send")
    async def subscribe_send(request: Request):
        async with state.lock:
            state.check_token(request.args.get("access_token"))
            answer = state.send_message(json_body(request))
        return json_reply(answer)
