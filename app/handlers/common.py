"""What every handler shares: body parsing into typed models, the current driver, the service contexts."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from sanic import Request
from sanic.exceptions import BadRequest, SanicException

from app.errors import MalformedJSON, Unauthorized, ValidationFailed
from app.security import TokenClaims, verify_token
from app.services.auth import AuthConfig
from app.services.orders import OrderPolicy

T = TypeVar("T", bound=BaseModel)


class Body(BaseModel):
    """Request bodies are strict: "100" is not 100, and unknown fields are ignored."""

    model_config = ConfigDict(strict=True, extra="ignore")


def parse(request: Request, model: type[T]) -> T:
    """The JSON body as `model`, or MalformedJSON / ValidationFailed naming the field."""
    try:
        raw = request.json
    except (BadRequest, SanicException, ValueError) as exc:
        raise MalformedJSON() from exc
    if raw is None:
        raise MalformedJSON("A JSON body is required.")
    if not isinstance(raw, dict):
        raise ValidationFailed("The body must be a JSON object.")
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        error = exc.errors(include_url=False)[0]
        field = ".".join(str(part) for part in error["loc"]) or None
        raise ValidationFailed(f"{field}: {error['msg']}" if field else error["msg"], field=field) from exc


def claims_of(request: Request) -> TokenClaims:
    """The verified access token of the request, or 401."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized()
    return verify_token(request.app.ctx.settings.jwt_secret, token.strip(), kind="access")


def auth_config(request: Request) -> AuthConfig:
    """Auth's view of the settings."""
    s = request.app.ctx.settings
    return AuthConfig(jwt_secret=s.jwt_secret, access_ttl_s=s.access_token_ttl_s, refresh_ttl_s=s.refresh_token_ttl_s)


def order_policy(settings) -> OrderPolicy:
    """The order service's view of the settings."""
    return OrderPolicy(
        max_order_fen=settings.max_order_fen, close_after_s=settings.order_close_after_s,
        query_after_s=settings.order_query_after_s, points_expiry_months=settings.points_expiry_months,
        template_points_credited=settings.template_points_credited, outbox_max_attempts=settings.outbox_max_attempts,
    )


def int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    """An integer query argument within [low, high], or ValidationFailed naming it."""
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValidationFailed(f"{name} must be an integer.", field=name) from exc
    if not low <= value <= high:
        raise ValidationFailed(f"{name} must be between {low} and {high}.", field=name)
    return value
