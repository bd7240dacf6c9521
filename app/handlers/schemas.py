"""The shapes of the answers, for the OpenAPI description; tests/test_api.py checks real answers against them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel
from sanic_ext import openapi


class ErrorDetail(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorOut(BaseModel):
    """Every error of the API (the WeChat Pay webhooks answer in WeChat Pay's form instead)."""

    error: ErrorDetail


class MemberOut(BaseModel):
    id: int
    points_balance: int
    tier: str
    tier_name: str
    growth_value: int
    joined_via: Literal["login", "payment"]
    joined_at: str
    phone: str | None = None
    referral_code: str


class MeOut(BaseModel):
    """member is null for a guest: an openid that has not joined (paying once makes a member)."""

    member: MemberOut | None
    openid: str


class TokensOut(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    member: MemberOut | None


class PointsEntryOut(BaseModel):
    id: int
    delta: int
    kind: str
    kind_label: str
    reason: str
    balance_after: int
    source_type: str
    source_id: str
    explanation: dict | None = None
    created_at: str


class PointsPageOut(BaseModel):
    items: list[PointsEntryOut]
    next: str | None
    balance: int
    days: int


class PumpOut(BaseModel):
    pump_no: int
    grades: list[str]


class GradeOut(BaseModel):
    grade: str
    price_fen_per_litre: int
    category: str


class StationOut(BaseModel):
    id: int
    code: str
    name: str
    address: str
    latitude: float | None
    longitude: float | None
    pumps: list[PumpOut]
    grades: list[GradeOut]


class OrderLimitsOut(BaseModel):
    min_fen: int
    max_fen: int


class StationsOut(BaseModel):
    items: list[StationOut]
    order_limits: OrderLimitsOut


class OrderOut(BaseModel):
    out_trade_no: str
    status: Literal["created", "paid", "refunded", "closed"]
    station_id: int
    station_name: str | None
    pump_no: int
    grade: str
    price_fen_per_litre: int
    litres: str
    amount_fen: int
    discount_fen: int
    payable_fen: int
    points_used: int
    points_earned: int
    created_at: str
    paid_at: str | None


class PaymentOut(BaseModel):
    """The parameters of wx.requestPayment, signed with the merchant key."""

    timeStamp: str  # noqa: N815 - WeChat's names
    nonceStr: str  # noqa: N815
    package: str
    signType: Literal["RSA"]  # noqa: N815
    paySign: str  # noqa: N815


class CreatedOrderOut(BaseModel):
    order: OrderOut
    payment: PaymentOut


class OrderWrapOut(BaseModel):
    order: OrderOut


class OrdersPageOut(BaseModel):
    items: list[OrderOut]
    next: str | None


def json_of(model: type[BaseModel]) -> dict:
    """{"application/json": schema} for openapi.response, its nested models as components/schemas."""
    openapi.component(model)  # registers the model and the models it nests under components/schemas
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {"application/json": schema}
