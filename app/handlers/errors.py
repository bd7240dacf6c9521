"""The one place where errors become HTTP: domain errors by their code, the rest without a stack trace."""

from __future__ import annotations

import logging

from sanic import Request, Sanic
from sanic.exceptions import MethodNotAllowed, NotFound, SanicException
from sanic.response import json

from app.errors import DomainError

log = logging.getLogger("youzhan.errors")


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
            log.error("server error on %s %s", request.method, request.path, exc_info=exc)
            return json(error_body("internal", "Something went wrong on our side; try again."), status=status)
        return json(error_body("request.rejected", str(exc) or "The request was rejected."), status=status)

    @app.exception(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=exc)
        return json(error_body("internal", "Something went wrong on our side; try again."), status=500)
