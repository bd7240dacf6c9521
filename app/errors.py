"""Domain errors: each has a stable code and an HTTP status; one place (app.handlers.errors) maps them to JSON."""

from __future__ import annotations


class DomainError(Exception):
    """An error a client can cause and be told about; never a 500."""

    code = "request.invalid"
    status = 400
    message = "The request is invalid."

    def __init__(self, message: str | None = None, *, field: str | None = None, code: str | None = None):
        super().__init__(message or self.message)
        self.message = message or self.message
        self.field = field
        if code:
            self.code = code


class ValidationFailed(DomainError):
    code = "request.invalid"
    status = 422
    message = "A field is missing or has the wrong type or value."


class MalformedJSON(DomainError):
    code = "request.malformed_json"
    status = 400
    message = "The body is not valid JSON."


class Unauthorized(DomainError):
    code = "auth.required"
    status = 401
    message = "Log in first."


class TokenInvalid(Unauthorized):
    code = "auth.token_invalid"
    message = "The token is invalid or has expired."


class Forbidden(DomainError):
    code = "auth.forbidden"
    status = 403
    message = "Not allowed."


class NotFound(DomainError):
    code = "not_found"
    status = 404
    message = "Not found."


class Conflict(DomainError):
    code = "conflict"
    status = 409
    message = "The request conflicts with the current state."


class InsufficientPoints(Conflict):
    code = "points.insufficient"
    message = "Not enough points."


class MemberRequired(DomainError):
    code = "member.required"
    status = 403
    message = "Become a member first: pay once at any station."


class UpstreamUnavailable(DomainError):
    """WeChat or WeChat Pay did not answer usefully; the client may retry."""

    code = "upstream.unavailable"
    status = 502
    message = "WeChat did not answer; try again in a moment."


class WechatLoginFailed(DomainError):
    code = "auth.wechat_code_invalid"
    status = 401
    message = "The WeChat login code is invalid or used; call wx.login again."
