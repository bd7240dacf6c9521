"""POST /api/orders (order + wx.requestPayment parameters), GET /api/orders/{out_trade_no}."""

from __future__ import annotations

from decimal import Decimal

from pydantic import Field, model_validator
from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.errors import ValidationFailed
from app.handlers.common import Body, claims_of, int_arg, order_policy, parse
from app.handlers.schemas import CreatedOrderOut, ErrorOut, OrdersPageOut, OrderWrapOut, json_of
from app.services import orders, points

bp = Blueprint("orders", url_prefix="/api/orders")


class CreateOrderBody(Body):
    station_id: int = Field(ge=1, le=2**53)
    pump_no: int = Field(ge=1, le=999)
    grade: str = Field(min_length=1, max_length=16)
    amount_fen: int | None = Field(default=None, ge=-(2**63), le=2**63 - 1, description="integer fen")
    litres: float | None = Field(default=None, gt=0, le=10_000, description="litres, instead of amount_fen")
    request_id: str | None = Field(default=None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                   description="the client's id of this purchase: a retry with it gets the same order")

    @model_validator(mode="after")
    def one_of_amount_or_litres(self):
        if (self.amount_fen is None) == (self.litres is None):
            raise ValueError("give either amount_fen or litres")
        return self


@bp.post("")
@openapi.response(201, json_of(CreatedOrderOut), "the order and the parameters of wx.requestPayment")
@openapi.response(422, json_of(ErrorOut), "a field is missing or has the wrong type or value")
@openapi.response(404, json_of(ErrorOut), "station.not_found")
@openapi.response(409, json_of(ErrorOut), "order.request_id_reused or order.not_payable")
@openapi.response(502, json_of(ErrorOut), "upstream.unavailable: WeChat Pay did not answer; retry")
@openapi.definition(summary="Create an order and its WeChat Pay prepay", secured={"bearer": []},
                    body={"application/json": CreateOrderBody.model_json_schema()},
                    description="Answers {order, payment}: payment holds the parameters of wx.requestPayment.")
async def create_order(request: Request):
    claims = claims_of(request)
    body = parse(request, CreateOrderBody)
    if body.litres is not None and body.litres != body.litres:  # NaN
        raise ValidationFailed("litres must be a number.", field="litres")
    order, payment = await orders.create_order(
        openid=claims.openid, station_id=body.station_id, pump_no=body.pump_no, grade=body.grade,
        amount_fen=body.amount_fen, litres=Decimal(str(body.litres)) if body.litres is not None else None,
        request_id=body.request_id, pay=request.app.ctx.wechat.pay, policy=order_policy(request.app.ctx.settings),
    )
    return json({"order": order, "payment": payment}, status=201)


@bp.get("")
@openapi.response(200, json_of(OrdersPageOut), "a page of my orders")
@openapi.definition(summary="My orders, newest first", secured={"bearer": []})
@openapi.parameter("cursor", str, "query")
@openapi.parameter("limit", int, "query")
async def list_orders(request: Request):
    claims = claims_of(request)
    limit = int_arg(request, "limit", 20, 1, 100)
    cursor = points.parse_cursor(request.args.get("cursor"))
    return json(await orders.list_orders_for_driver(openid=claims.openid, cursor=cursor, limit=limit))


@bp.get("/<out_trade_no:str>")
@openapi.response(200, json_of(OrderWrapOut), "the order")
@openapi.response(404, json_of(ErrorOut), "order.not_found")
@openapi.definition(summary="My order, with its status and the points it earned", secured={"bearer": []})
async def get_order(request: Request, out_trade_no: str):
    claims = claims_of(request)
    settings = request.app.ctx.settings
    order = await orders.get_order_for_driver(
        openid=claims.openid, out_trade_no=out_trade_no, pay=request.app.ctx.wechat.pay,
        policy=order_policy(settings), mchid=settings.pay_mchid, appid=settings.wechat_appid,
    )
    return json({"order": order})
