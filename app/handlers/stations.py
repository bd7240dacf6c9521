"""GET /api/stations."""

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.services import stations

bp = Blueprint("stations", url_prefix="/api/stations")


@bp.get("")
@openapi.definition(summary="Stations with their pumps and the price of each grade (fen per litre)")
async def list_stations(request: Request):
    return json({"items": await stations.list_stations()})
