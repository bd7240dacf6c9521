"""How each party answers: WeChat (200 + errcode), WeChat Pay (signed), the control API (plain JSON)."""

from __future__ import annotations

import json

from sanic import Request
from sanic.response import HTTPResponse

from app.sandbox import wechatpay as wp


def json_reply(payload, status: int = 200) -> HTTPResponse:
    """JSON in UTF-8 with CJK unescaped."""
    return HTTPResponse(json.dumps(payload, ensure_ascii=False), status=status,
                        content_type="application/json; charset=utf-8")


def wx_error(errcode: int, errmsg: str) -> HTTPResponse:
    """A WeChat API refusal: always HTTP 200."""
    return json_reply({"errcode": errcode, "errmsg": errmsg})


def signed_reply(platform_private_pem: bytes, public_key_id: str, status: int, payload: dict | None) -> HTTPResponse:
    """A WeChat Pay answer, signed over `timestamp\\nnonce\\nbody\\n` (an empty body for 204)."""
    body = "" if payload is None else wp.dumps(payload)
    headers = wp.notification_headers(platform_private_pem, public_key_id, body)
    # set explicitly: Sanic adds no Content-Type to a 204, but WeChat Pay sends one on every answer
    return HTTPResponse(body.encode("utf-8"), status=status, headers=headers)


def json_body(request: Request) -> object:
    """The request body as JSON, or None when it is empty or not JSON."""
    if not request.body:
        return None
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
