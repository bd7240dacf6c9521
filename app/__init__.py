"""youzhan: the backend-for-frontend of a gas-station chain's membership and points programme."""

from __future__ import annotations

import functools
import json

from app.settings import Settings, load_settings


def create_app(settings: Settings | None = None, name: str = "youzhan"):
    """The composition root: settings -> Sanic app with ORM, cache and WeChat clients made in listeners."""
    from sanic import Sanic
    from sanic_ext import Extend
    from tortoise.contrib.sanic import register_tortoise

    from app.cache import create_cache
    from app.handlers import auth, health, me, orders, stations, wechat_pay
    from app.handlers.errors import register_error_handlers
    from app.security import DataProtector
    from app.wechat import WechatGateway

    settings = settings or load_settings()
    # Chinese stays readable in answers and logs; compact separators keep bodies small
    app = Sanic(name, dumps=functools.partial(json.dumps, ensure_ascii=False, separators=(",", ":")))
    app.config.update(
        OAS_UI_DEFAULT="swagger",
        OAS_URL_PREFIX="/docs",
        OAS_UI_SWAGGER=True,
        OAS_UI_REDOC=False,
        CORS=False,
        FALLBACK_ERROR_FORMAT="json",
        REQUEST_MAX_SIZE=1_000_000,
        KEEP_ALIVE_TIMEOUT=75,
    )
    _serve_swagger_ui_locally(app)  # before Extend, which reads the UI's asset URL once
    Extend(app)
    app.ext.openapi.describe(
        "youzhan API",
        version="0.1.0",
        description="Membership and points programme of a gas-station chain. "
        "Authenticate with `Authorization: Bearer <access_token>` from `POST /api/auth/login`.",
    )
    app.ext.openapi.add_security_scheme("bearer", "http", scheme="bearer", bearer_format="JWT")
    app.ctx.settings = settings
    app.ctx.protector = DataProtector(settings.data_key)
    register_tortoise(app, config=settings.tortoise_config())

    @app.before_server_start
    async def open_clients(app, _loop=None):
        app.ctx.cache = create_cache(settings.redis_url)
        app.ctx.wechat = WechatGateway(settings, app.ctx.cache)
        await app.ctx.wechat.start()

    @app.after_server_stop
    async def close_clients(app, _loop=None):
        await app.ctx.wechat.close()
        await app.ctx.cache.aclose()

    for module in (auth, me, stations, orders, wechat_pay, health):
        app.blueprint(module.bp)
    register_error_handlers(app)
    return app


def _serve_swagger_ui_locally(app) -> None:
    """/docs loads Swagger UI from the app itself, not a CDN: it works on a laptop or a back office offline."""
    from pathlib import Path

    import swagger_ui_bundle

    assets = Path(swagger_ui_bundle.swagger_ui_path)
    version = assets.name.removeprefix("swagger-ui-")
    for served, name in (("swagger-ui.min.css", "swagger-ui.css"), ("swagger-ui-bundle.min.js", "swagger-ui-bundle.js"),
                         ("swagger-ui-standalone-preset.min.js", "swagger-ui-standalone-preset.js")):
        app.static(f"/docs/assets/{version}/{served}", assets / name, name=f"swagger_{name.replace('.', '_')}")
    app.config.OAS_UI_SWAGGER_CDN_URL = "/docs/assets"
    app.config.OAS_UI_SWAGGER_VERSION = version
