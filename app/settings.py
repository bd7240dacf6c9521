"""One typed settings object, read from the environment (DESIGN section 4)."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Sandbox identities: good enough for a laptop, refused in production.
SANDBOX_APPID = "wx00sandbox0000001"
SANDBOX_SECRET = "sandbox-app-secret-0000000000000"
SANDBOX_MCHID = "1900000001"
SANDBOX_APIV3_KEY = "sandboxApiV3Key0123456789abcdefg"  # 32 bytes, as WeChat Pay requires
SANDBOX_CERT_SERIAL = "5ANDB0XMERCHANTCERT0000000000000000001"
SANDBOX_PUBLIC_KEY_ID = "PUB_KEY_ID_0119000000012025SANDBOX0000001"

# The subscribe-message templates this programme sends; ids are set per mini-program in production.
DEFAULT_TEMPLATE_POINTS_CREDITED = "TPL_POINTS_CREDITED_SANDBOX"


N = TypeVar("N", int, float)


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _env(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def _str(name: str, default: str) -> str:
    return os.environ.get(name) or default


def _number(name: str, default: N) -> N:
    """The variable as a number of the default's type, or a SettingsError naming it."""
    raw = _env(name)
    if raw is None:
        return default
    try:
        return type(default)(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be {'an integer' if isinstance(default, int) else 'a number'}, got {raw!r}"
                            ) from exc


@dataclass(frozen=True)
class Settings:
    """Everything the app, the worker and the commands need, from the environment."""

    env: str = "development"
    port: int = 8000
    host: str = "127.0.0.1"
    web_concurrency: int = 1
    data_dir: Path = PROJECT_ROOT / "data"
    database_url: str = ""
    redis_url: str | None = None
    jwt_secret: str = ""
    data_key: str = ""
    public_url: str = ""

    wechat_appid: str = SANDBOX_APPID
    wechat_secret: str = SANDBOX_SECRET
    wechat_api_base: str = "https://api.weixin.qq.com"
    template_points_credited: str = DEFAULT_TEMPLATE_POINTS_CREDITED
    result_page: str = "pages/result/index"

    pay_mchid: str = SANDBOX_MCHID
    pay_apiv3_key: str = SANDBOX_APIV3_KEY
    pay_private_key_path: str = ""
    pay_cert_serial: str = SANDBOX_CERT_SERIAL
    pay_public_key_path: str = ""
    pay_public_key_id: str = SANDBOX_PUBLIC_KEY_ID
    pay_api_base: str = "https://api.mch.weixin.qq.com"
    pay_v2_key: str | None = None
    notify_max_age_s: int = 300

    access_token_ttl_s: int = 15 * 60
    refresh_token_ttl_s: int = 30 * 24 * 3600
    order_close_after_s: int = 15 * 60
    order_query_after_s: int = 3 * 60
    points_expiry_months: int = 24
    max_order_fen: int = 500_000  # 5,000 yuan: more than any tank holds at any price
    outbox_max_attempts: int = 8
    outbox_retry_base_s: float = 10.0
    worker_interval_s: float = 1.0

    generated: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def notify_url(self) -> str:
        return f"{self.public_url}/api/wechat/pay/notify"

    @property
    def refund_notify_url(self) -> str:
        return f"{self.public_url}/api/wechat/refund/notify"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def tortoise_config(self) -> dict:
        """The tortoise-orm configuration, migrations package included."""
        return tortoise_config(self.database_url)


MODEL_MODULES = ["app.models"]


async def _keep_session(connection) -> None:
    """asyncpg's pool reset, minus the RESET ALL / UNLISTEN / advisory-unlock round trip on every release.

    Nothing here sets session state, listens or takes advisory locks; asyncpg still rolls back a transaction
    left open before calling this. Measured: one round trip less on every request (docs/benchmarks.md).
    """


def tortoise_config(database_url: str) -> dict:
    """Tortoise config for a URL; asyncpg pools are sized here (not left at 5) and skip the session reset."""
    from tortoise.backends.base.config_generator import expand_db_url

    url = database_url
    connection: str | dict = url
    if url.startswith(("postgres://", "postgresql://")):
        if "maxsize" not in url:
            url += ("&" if "?" in url else "?") + "minsize=1&maxsize=20"
        connection = expand_db_url(url)
        connection["credentials"]["reset"] = _keep_session
    return {
        "connections": {"default": connection},
        "apps": {"models": {"models": MODEL_MODULES, "default_connection": "default", "migrations": "app.migrations"}},
        "use_tz": True,
        "timezone": "UTC",
    }


def _dev_secrets(data_dir: Path) -> dict[str, str]:
    """JWT and data keys for development, generated once and kept under data/."""
    path = data_dir / "secrets.json"
    if path.exists():
        return json.loads(path.read_text())
    data_dir.mkdir(parents=True, exist_ok=True)
    values = {"jwt_secret": secrets.token_urlsafe(48), "data_key": secrets.token_urlsafe(32)}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(values))
    tmp.replace(path)
    return values


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the environment; refuse to start production on a default secret or the sandbox."""
    if environ is not None:
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(environ)
    try:
        return _load()
    finally:
        if environ is not None:
            os.environ.clear()
            os.environ.update(saved)


def _load() -> Settings:
    env = _str("APP_ENV", "development")
    if env not in ("development", "production", "test"):
        raise SettingsError(f"APP_ENV must be development, test or production, got {env!r}")
    data_dir = Path(_str("DATA_DIR", str(PROJECT_ROOT / "data")))
    port = _number("PORT", 8000)
    generated: list[str] = []

    database_url = _env("DATABASE_URL")
    if database_url is None:
        if env == "production":
            raise SettingsError("DATABASE_URL must be set in production")
        data_dir.mkdir(parents=True, exist_ok=True)
        database_url = f"sqlite://{data_dir / 'youzhan.sqlite3'}"
        generated.append("DATABASE_URL")

    jwt_secret = _env("JWT_SECRET")
    data_key = _env("DATA_KEY")
    if jwt_secret is None or data_key is None:
        if env == "production":
            raise SettingsError("JWT_SECRET and DATA_KEY must be set in production")
        dev = _dev_secrets(data_dir)
        jwt_secret = jwt_secret or dev["jwt_secret"]
        data_key = data_key or dev["data_key"]
        generated.append("JWT_SECRET/DATA_KEY")
    if len(jwt_secret) < 32:
        raise SettingsError("JWT_SECRET must be at least 32 characters")

    private_key_path = _env("WECHAT_PAY_PRIVATE_KEY_PATH")
    public_key_path = _env("WECHAT_PAY_PUBLIC_KEY_PATH")
    if private_key_path is None or public_key_path is None:
        if env == "production":
            raise SettingsError("WECHAT_PAY_PRIVATE_KEY_PATH and WECHAT_PAY_PUBLIC_KEY_PATH must be set in production")
        from app.sandbox.keys import ensure_sandbox_keys

        keys = ensure_sandbox_keys(data_dir / "sandbox")
        private_key_path = private_key_path or str(keys.merchant_private)
        public_key_path = public_key_path or str(keys.platform_public)
        generated.append("WECHAT_PAY keys")

    settings = Settings(
        env=env,
        port=port,
        host=_str("HOST", "127.0.0.1"),
        web_concurrency=_number("WEB_CONCURRENCY", 1),
        data_dir=data_dir,
        database_url=database_url,
        redis_url=_env("REDIS_URL"),
        jwt_secret=jwt_secret,
        data_key=data_key,
        public_url=(_env("PUBLIC_URL") or f"http://127.0.0.1:{port}").rstrip("/"),
        wechat_appid=_str("WECHAT_APPID", SANDBOX_APPID),
        wechat_secret=_str("WECHAT_SECRET", SANDBOX_SECRET),
        wechat_api_base=_str("WECHAT_API_BASE", "https://api.weixin.qq.com").rstrip("/"),
        template_points_credited=_str("WECHAT_TEMPLATE_POINTS_CREDITED", DEFAULT_TEMPLATE_POINTS_CREDITED),
        result_page=_str("WECHAT_RESULT_PAGE", "pages/result/index"),
        pay_mchid=_str("WECHAT_PAY_MCHID", SANDBOX_MCHID),
        pay_apiv3_key=_str("WECHAT_PAY_APIV3_KEY", SANDBOX_APIV3_KEY),
        pay_private_key_path=private_key_path,
        pay_cert_serial=_str("WECHAT_PAY_CERT_SERIAL", SANDBOX_CERT_SERIAL),
        pay_public_key_path=public_key_path,
        pay_public_key_id=_str("WECHAT_PAY_PUBLIC_KEY_ID", SANDBOX_PUBLIC_KEY_ID),
        pay_api_base=_str("WECHAT_PAY_API_BASE", "https://api.mch.weixin.qq.com").rstrip("/"),
        pay_v2_key=_env("WECHAT_PAY_V2_KEY"),
        notify_max_age_s=_number("WECHAT_PAY_NOTIFY_MAX_AGE_S", 300),
        access_token_ttl_s=_number("ACCESS_TOKEN_TTL_S", 15 * 60),
        refresh_token_ttl_s=_number("REFRESH_TOKEN_TTL_S", 30 * 24 * 3600),
        order_close_after_s=_number("ORDER_CLOSE_AFTER_S", 15 * 60),
        order_query_after_s=_number("ORDER_QUERY_AFTER_S", 3 * 60),
        points_expiry_months=_number("POINTS_EXPIRY_MONTHS", 24),
        outbox_max_attempts=_number("OUTBOX_MAX_ATTEMPTS", 8),
        outbox_retry_base_s=_number("OUTBOX_RETRY_BASE_S", 10.0),
        worker_interval_s=_number("WORKER_INTERVAL_S", 1.0),
        generated=tuple(generated),
    )
    if settings.is_production:
        if settings.wechat_appid == SANDBOX_APPID or settings.wechat_secret == SANDBOX_SECRET:
            raise SettingsError("WECHAT_APPID and WECHAT_SECRET must be set in production")
        if settings.pay_mchid == SANDBOX_MCHID or settings.pay_apiv3_key == SANDBOX_APIV3_KEY:
            raise SettingsError("WECHAT_PAY_MCHID and WECHAT_PAY_APIV3_KEY must be set in production")
    if len(settings.pay_apiv3_key.encode()) != 32:
        raise SettingsError("WECHAT_PAY_APIV3_KEY must be 32 bytes")
    return settings


def _tortoise_orm_for_cli() -> dict:
    url = _env("DATABASE_URL") or f"sqlite://{Path(_str('DATA_DIR', str(PROJECT_ROOT / 'data'))) / 'youzhan.sqlite3'}"
    return tortoise_config(url)


# `python -m tortoise -c app.settings.TORTOISE_ORM makemigrations|migrate` reads this.
TORTOISE_ORM = _tortoise_orm_for_cli()
