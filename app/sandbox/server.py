"""The sandbox Sanic app: WeChat's and WeChat Pay's endpoints plus the control API, all in memory."""

from __future__ import annotations

import copy
import itertools
import sys
from pathlib import Path

from sanic import Request, Sanic
from sanic.log import LOGGING_CONFIG_DEFAULTS

from app.sandbox import control_api, miniprogram_api, pay_api
from app.sandbox.config import SandboxConfig
from app.sandbox.keys import ensure_sandbox_keys
from app.sandbox.replies import json_reply, signed_reply, wx_error
from app.sandbox.state import ControlError, PayError, SandboxState, WechatError

# Sanic refuses two apps with one name in a process; tests may build several sandboxes.
_app_numbers = itertools.count(1)


def _log_config() -> dict:
    # Sanic logs to stdout by default; scripts read stdout for the one "listening" line, so log to stderr
    config = {k: copy.deepcopy(v) for k, v in LOGGING_CONFIG_DEFAULTS.items() if k != "handlers"}
    config["handlers"] = {name: {**handler, "stream": sys.stderr}
                          for name, handler in LOGGING_CONFIG_DEFAULTS["handlers"].items()}
    return config


def create_sandbox_app(config: SandboxConfig) -> Sanic:
    """A sandbox app for this configuration; its state is at `app.ctx.state`."""
    keys = ensure_sandbox_keys(Path(config.keys_dir))
    state = SandboxState(config, keys)
    app = Sanic(f"wechat_sandbox_{next(_app_numbers)}", log_config=_log_config())
    app.config.AUTO_EXTEND = False
    app.config.FALLBACK_ERROR_FORMAT = "json"
    app.config.GRACEFUL_SHUTDOWN_TIMEOUT = 2.0
    app.config.NOISY_EXCEPTIONS = False
    app.ctx.state = state

    miniprogram_api.install(app, state)
    pay_api.install(app, state)
    control_api.install(app, state)

    @app.exception(WechatError)
    async def on_wechat_error(request: Request, exc: WechatError):
        return wx_error(exc.errcode, exc.errmsg)

    @app.exception(PayError)
    async def on_pay_error(request: Request, exc: PayError):
        return signed_reply(state.platform_private_pem, config.public_key_id, exc.status,
                            {"code": exc.code, "message": exc.message})

    @app.exception(ControlError)
    async def on_control_error(request: Request, exc: ControlError):
        return json_reply(exc.payload, exc.status)

    @app.after_server_start
    async def announce(app: Sanic):
        print(f"sandbox listening on http://{config.host}:{config.port}", flush=True)

    @app.before_server_stop
    async def stop_deliveries(app: Sanic):
        await state.notifier.aclose()

    return app


def run(config: SandboxConfig) -> None:
    """Serve until SIGTERM or SIGINT, in this process."""
    app = create_sandbox_app(config)
    app.run(host=config.host, port=config.port, single_process=True, access_log=False, motd=False,
            debug=False, auto_reload=False)
