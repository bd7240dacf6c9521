"""GET /api/health: the load balancer's question, with the state of the database and Redis."""

from sanic import Blueprint, Request
from sanic.response import json
from sanic_ext import openapi

from app.services import health

bp = Blueprint("health", url_prefix="/api/health")


@bp.get("")
@openapi.definition(summary="Health of the app, its database and its cache")
async def get_health(request: Request):
    report = await health.check(cache=request.app.ctx.cache, backend=request.app.ctx.settings.database_url)
    return json(report, status=200 if report["status"] == "ok" else 503)
