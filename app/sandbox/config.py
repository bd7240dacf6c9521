"""The sandbox's configuration: command-line options, each with an environment variable behind it."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from app.settings import (
    PROJECT_ROOT,
    SANDBOX_APIV3_KEY,
    SANDBOX_APPID,
    SANDBOX_MCHID,
    SANDBOX_PUBLIC_KEY_ID,
    SANDBOX_SECRET,
)


@dataclass(frozen=True)
class SandboxConfig:
    """Who the sandbox pretends to serve (appid, merchant) and where it listens."""

    host: str = "127.0.0.1"
    port: int = 8001
    keys_dir: Path = PROJECT_ROOT / "data" / "sandbox"
    appid: str = SANDBOX_APPID
    secret: str = SANDBOX_SECRET
    mchid: str = SANDBOX_MCHID
    apiv3_key: str = SANDBOX_APIV3_KEY
    public_key_id: str = SANDBOX_PUBLIC_KEY_ID
    v2_key: str | None = None
    retry_scale: float = 1.0

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"


@overload
def _env(name: str, default: str) -> str: ...
@overload
def _env(name: str, default: None = None) -> str | None: ...
def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _default_keys_dir() -> Path:
    # the app's settings put its sandbox keys under DATA_DIR/sandbox; both must read the same files
    return Path(_env("DATA_DIR", str(PROJECT_ROOT / "data"))) / "sandbox"


def build_parser() -> argparse.ArgumentParser:
    """The `python -m app.sandbox` options; defaults come from the environment."""
    parser = argparse.ArgumentParser(prog="python -m app.sandbox", description="WeChat and WeChat Pay on loopback.")
    parser.add_argument("--host", default=_env("SANDBOX_HOST", "127.0.0.1"), help="env SANDBOX_HOST")
    parser.add_argument("--port", type=int, default=int(_env("SANDBOX_PORT", "8001")), help="env SANDBOX_PORT")
    parser.add_argument("--keys-dir", type=Path, default=_default_keys_dir(), help="default DATA_DIR/sandbox")
    parser.add_argument("--appid", default=_env("WECHAT_APPID", SANDBOX_APPID), help="env WECHAT_APPID")
    parser.add_argument("--secret", default=_env("WECHAT_SECRET", SANDBOX_SECRET), help="env WECHAT_SECRET")
    parser.add_argument("--mchid", default=_env("WECHAT_PAY_MCHID", SANDBOX_MCHID), help="env WECHAT_PAY_MCHID")
    parser.add_argument("--apiv3-key", default=_env("WECHAT_PAY_APIV3_KEY", SANDBOX_APIV3_KEY),
                        help="env WECHAT_PAY_APIV3_KEY")
    parser.add_argument("--public-key-id", default=_env("WECHAT_PAY_PUBLIC_KEY_ID", SANDBOX_PUBLIC_KEY_ID),
                        help="env WECHAT_PAY_PUBLIC_KEY_ID")
    parser.add_argument("--v2-key", default=_env("WECHAT_PAY_V2_KEY"), help="env WECHAT_PAY_V2_KEY")
    parser.add_argument("--retry-scale", type=float, default=float(_env("SANDBOX_RETRY_SCALE", "1.0")),
                        help="multiplies WeChat Pay's re-send delays; env SANDBOX_RETRY_SCALE")
    return parser


def parse_config(argv: list[str] | None = None) -> SandboxConfig:
    """Options and environment as a SandboxConfig; exits with a usage message on bad input."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if len(args.apiv3_key.encode("utf-8")) != 32:
        parser.error("the APIv3 key must be 32 bytes")
    if args.retry_scale < 0:
        parser.error("--retry-scale must not be negative")
    return SandboxConfig(
        host=args.host, port=args.port, keys_dir=args.keys_dir, appid=args.appid, secret=args.secret,
        mchid=args.mchid, apiv3_key=args.apiv3_key, public_key_id=args.public_key_id, v2_key=args.v2_key or None,
        retry_scale=args.retry_scale,
    )
