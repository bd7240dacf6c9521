"""Plain functions, no database: earning, expiry, quoting, message formatting, personal data, settings."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from app.errors import ValidationFailed
from app.security import DataProtector, mask_phone
from app.services.orders import new_out_trade_no, quote
from app.services.rules import expiry_for, points_for_payment
from app.settings import SettingsError, load_settings
from app.wechat.messages import format_value


def test_one_point_per_whole_yuan_paid():
    assert points_for_payment(payable_fen=30000, grade="92#").points == 300
    assert points_for_payment(payable_fen=15099, grade="95#").points == 150
    assert points_for_payment(payable_fen=99, grade="0#").points == 0


def test_points_expire_when_the_month_two_years_later_ends_in_shanghai():
    earned = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)
    assert expiry_for(earned, 24) == datetime(2028, 11, 30, 16, 0, tzinfo=UTC)  # 2028-12-01 00:00 +08:00
    # 23:30 UTC on 31 Jan is already February in Shanghai
    assert expiry_for(datetime(2026, 1, 31, 23, 30, tzinfo=UTC), 1) == datetime(2026, 3, 31, 16, 0, tzinfo=UTC)
    assert expiry_for(datetime(2026, 12, 5, tzinfo=UTC), 12) == datetime(2027, 12, 31, 16, 0, tzinfo=UTC)


def test_an_amount_or_litres_is_quoted_at_the_price():
    assert quote(price_fen_per_litre=738, amount_fen=30000, litres=None, max_order_fen=500000) == (30000, 40650)
    assert quote(price_fen_per_litre=786, amount_fen=None, litres=Decimal("30.5"), max_order_fen=500000) == (23973, 30500)


@pytest.mark.parametrize("amount", [0, 99, 500001, 10**15])
def test_zero_or_absurd_amounts_are_refused(amount):
    with pytest.raises(ValidationFailed) as refused:
        quote(price_fen_per_litre=738, amount_fen=amount, litres=None, max_order_fen=500000)
    assert refused.value.code == "order.amount_out_of_range"


def test_out_trade_numbers_fit_wechat_and_do_not_repeat():
    now = datetime.now(UTC)
    numbers = {new_out_trade_no(now) for _ in range(1000)}
    assert len(numbers) == 1000
    assert all(len(n) <= 32 and n.isalnum() for n in numbers)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("thing5", "优站 西湖文三路站", "优站 西湖文三路站"),
    ("thing5", "一" * 25, "一" * 19 + "…"),
    ("amount2", 30000, "300.00元"),
    ("amount2", 5, "0.05元"),
    ("number3", 300, "300"),
    ("character_string1", "YZ20261124093012", "YZ20261124093012"),
    ("time6", datetime(2026, 11, 24, 1, 30, tzinfo=UTC), "2026-11-24 09:30"),
    ("car_number", "浙A12345D", "浙A12345D"),
])
def test_subscribe_message_values_fit_their_keyword(key, value, expected):
    assert format_value(key, value) == expected
    if key.startswith("thing"):
        assert len(format_value(key, value)) <= 20


def test_phone_numbers_are_encrypted_hashed_and_masked():
    protector = DataProtector("a-data-key-for-tests-only-32-chars!!")
    sealed = protector.encrypt("13800138000")
    assert "13800138000" not in sealed
    assert protector.decrypt(sealed) == "13800138000"
    assert protector.encrypt("13800138000") != sealed  # random nonce
    assert protector.lookup_hash("13800138000") == protector.lookup_hash("13800138000")
    assert mask_phone("13800138000") == "138****8000"


def test_production_refuses_to_start_on_defaults(tmp_path):
    with pytest.raises(SettingsError):
        load_settings(environ={"APP_ENV": "production", "DATA_DIR": str(tmp_path)})
    base = {
        "APP_ENV": "production", "DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@db/yz",
        "JWT_SECRET": "x" * 40, "DATA_KEY": "y" * 40,
        "WECHAT_PAY_PRIVATE_KEY_PATH": "/k/apiclient_key.pem", "WECHAT_PAY_PUBLIC_KEY_PATH": "/k/pub_key.pem",
    }
    with pytest.raises(SettingsError, match="WECHAT_APPID"):
        load_settings(environ=base)
    real = {**base, "WECHAT_APPID": "wx1234567890abcdef", "WECHAT_SECRET": "s" * 32,
            "WECHAT_PAY_MCHID": "1230000109", "WECHAT_PAY_APIV3_KEY": "k" * 32}
    settings = load_settings(environ=real)
    assert settings.is_production and settings.generated == ()


def test_development_generates_its_secrets_once_and_keeps_them(tmp_path):
    first = load_settings(environ={"DATA_DIR": str(tmp_path)})
    second = load_settings(environ={"DATA_DIR": str(tmp_path)})
    assert first.jwt_secret == second.jwt_secret and len(first.jwt_secret) >= 32
    assert first.database_url.startswith("sqlite://")
