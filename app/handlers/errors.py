"""The one place where errors become HTTP: domain errors by their code, the rest without a stack trace."""

from __future__ import annotations

import logging
import re

from sanic import Request, Sanic
from sanic.exceptions import MethodNotAllowed, NotFound, SanicException
from sanic.response import json

from app.errors import DomainError

log = logging.getLogger("youzhan.errors")
_SAFE_ID = re.compile(r"[A-Za-z0-9._-]+")


def error_body(code: str, message: str, field: str | None = None) -> dict:
    """The error format of DESIGN section 4."""
    return {"error": {"code": code, "message": message, "field": field}}


def register_error_handlers(app: Sanic) -> None:
    """Map DomainError, Sanic's own errors and everything else to the JSON error format."""

    @app.exception(DomainError)
    async def domain_error(request: Request, exc: DomainError):
        return json(error_body(exc.code, exc.message, exc.field), status=exc.status)

    @app.exception(NotFound)
    async def route_not_found(request: Request, exc: NotFound):
        return json(error_body("route.not_found", "No such endpoint."), status=404)

    @app.exception(MethodNotAllowed)
    async def method_not_allowed(request: Request, exc: MethodNotAllowed):
        return json(error_body("route.method_not_allowed", "This endpoint does not take that method."), status=405)

    @app.exception(SanicException)
    async def sanic_error(request: Request, exc: SanicException):
        status = getattr(exc, "status_code", 400) or 400
        if status >= 500:
            log.error("server error on %s %s (request %s)", request.method, request.path, request.id, exc_info=exc)
            return json(error_body("internal", f"Something went wrong on our side; try again (request {request.id})."),
                        status=status)
        return json(error_body("request.rejected", str(exc) or "The request was rejected."), status=status)

    @app.exception(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error("unhandled error on %s %s (request %s)", request.method, request.path, request.id, exc_info=exc)
        return json(error_body("internal", f"Something went wrong on our side; try again (request {request.id})."),
                    status=500)

    @app.on_response
    async def tag_response(request: Request, response):
        # the id the load balancer sent in X-Request-ID, or Sanic's own: one name for one request in every log
        request_id = str(request.id)
        if len(request_id) <= 64 and _SAFE_ID.fullmatch(request_id):
            response.headers["X-Request-ID"] = request_id
