"""GET /api/stations."""

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.handlers.schemas import StationsOut, json_of
from app.services import stations
from app.services.orders import MIN_ORDER_FEN

bp = Blueprint("stations", url_prefix="/api/stations")


@bp.get("")
@openapi.response(200, json_of(StationsOut), "stations, pumps, prices and the order limits")
@openapi.definition(summary="Stations with their pumps and the price of each grade (fen per litre)",
                    description="Coordinates are GCJ-02, as wx.getLocation({type: 'gcj02'}) answers. "
                    "order_limits bounds the amount of one order, in fen.")
async def list_stations(request: Request):
    settings = request.app.ctx.settings
    return json({
        "items": await stations.list_stations(),
        "order_limits": {"min_fen": MIN_ORDER_FEN, "max_fen": settings.max_order_fen},
    })
