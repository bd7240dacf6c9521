"""Logging in, rotating and revoking tokens, binding a phone number; and the WeChat edge against WeChat's own
published test vectors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from wechatpy.crypto import WeChatWxaCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.pay.utils import calculate_signature, calculate_signature_hmac

from app.models import Member, RefreshToken
from tests.helpers import login, me, place_order, wait_paid

OFFICIAL = json.loads((Path(__file__).parent / "fixtures" / "wechat-official.json").read_text())


def refused(response, status: int, code: str) -> dict:
    assert "Traceback" not in response.text
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code, error
    return error


async def refresh(api, refresh_token: str):
    return await api.post("/api/auth/refresh", json={"refresh_token": refresh_token})


# ---- login -------------------------------------------------------------------------------------------


async def test_a_login_code_works_once_and_a_reused_code_is_refused(api, sandbox):
    minted = await sandbox.login_code()
    first = await api.post("/api/auth/login", json={"code": minted["code"]})
    assert first.status_code == 200, first.text
    assert first.json()["token_type"] == "Bearer" and first.json()["expires_in"] > 0
    refused(await api.post("/api/auth/login", json={"code": minted["code"]}), 401, "auth.wechat_code_invalid")
    refused(await api.post("/api/auth/login", json={"code": "never-issued"}), 401, "auth.wechat_code_invalid")
    refused(await api.post("/api/auth/login", json={"code": ""}), 422, "request.invalid")
    refused(await api.post("/api/auth/login", json={"code": 12345}), 422, "request.invalid")
    refused(await api.post("/api/auth/login", json={}), 422, "request.invalid")


async def test_login_answers_member_null_for_a_guest_and_the_member_for_a_member(api, sandbox):
    guest = await login(api, sandbox)
    assert guest.member is None
    order, payment = await place_order(api, guest, amount_fen=20000)
    await sandbox.request_payment(payment)
    await wait_paid(api, guest, order["out_trade_no"])

    again = await login(api, sandbox, openid=guest.openid)
    assert again.openid == guest.openid
    assert again.member is not None
    assert again.member["points_balance"] == 200 and again.member["joined_via"] == "payment"
    assert again.member == await me(api, again)


# ---- refresh and logout ------------------------------------------------------------------------------


async def test_a_refresh_rotates_the_pair_and_a_spent_refresh_token_is_refused(api, sandbox):
    driver = await login(api, sandbox)
    first = await refresh(api, driver.refresh_token)
    assert first.status_code == 200, first.text
    second_pair = first.json()
    assert second_pair["refresh_token"] != driver.refresh_token
    assert second_pair["access_token"] != driver.access_token
    assert second_pair["member"] is None
    ok = await api.get("/api/me", headers={"Authorization": f"Bearer {second_pair['access_token']}"})
    assert ok.status_code == 200 and ok.json()["openid"] == driver.openid

    rotated = await refresh(api, second_pair["refresh_token"])  # the new refresh token works too
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] not in (driver.refresh_token, second_pair["refresh_token"])

    refused(await refresh(api, driver.refresh_token), 401, "auth.token_invalid")
    refused(await refresh(api, second_pair["refresh_token"]), 401, "auth.token_invalid")


async def test_reusing_a_spent_refresh_token_revokes_the_refresh_token_issued_in_its_place(api, sandbox, db):
    driver = await login(api, sandbox)
    first = await refresh(api, driver.refresh_token)
    assert first.status_code == 200, first.text
    issued_in_its_place = first.json()["refresh_token"]

    # the first refresh token, presented again: stolen or replayed; the whole family goes
    refused(await refresh(api, driver.refresh_token), 401, "auth.token_invalid")
    assert await RefreshToken.filter(openid=driver.openid, revoked_at=None).count() == 0
    refused(await refresh(api, issued_in_its_place), 401, "auth.token_invalid")


async def test_a_reused_refresh_token_leaves_the_drivers_other_sessions_alone(api, sandbox):
    driver = await login(api, sandbox)
    other_device = await login(api, sandbox, openid=driver.openid)
    assert (await refresh(api, driver.refresh_token)).status_code == 200
    refused(await refresh(api, driver.refresh_token), 401, "auth.token_invalid")
    assert (await refresh(api, other_device.refresh_token)).status_code == 200


async def test_an_access_token_or_garbage_is_not_a_refresh_token(api, sandbox):
    driver = await login(api, sandbox)
    refused(await refresh(api, driver.access_token), 401, "auth.token_invalid")
    refused(await refresh(api, "garbage"), 401, "auth.token_invalid")
    refused(await api.post("/api/auth/refresh", json={}), 422, "request.invalid")
    assert (await refresh(api, driver.refresh_token)).status_code == 200  # the refusals spent nothing


async def test_logout_revokes_the_refresh_token(api, sandbox):
    driver = await login(api, sandbox)
    out = await api.post("/api/auth/logout", headers=driver.headers, json={"refresh_token": driver.refresh_token})
    assert out.status_code == 200 and out.json() == {"ok": True}
    refused(await refresh(api, driver.refresh_token), 401, "auth.token_invalid")


async def test_logout_without_a_token_revokes_every_session_of_the_driver(api, sandbox):
    phone = await login(api, sandbox)
    tablet = await login(api, sandbox, openid=phone.openid)
    stranger = await login(api, sandbox)
    out = await api.post("/api/auth/logout", headers=phone.headers)
    assert out.status_code == 200, out.text
    refused(await refresh(api, phone.refresh_token), 401, "auth.token_invalid")
    refused(await refresh(api, tablet.refresh_token), 401, "auth.token_invalid")
    assert (await refresh(api, stranger.refresh_token)).status_code == 200


async def test_nobody_logs_out_someone_elses_session(api, sandbox):
    victim = await login(api, sandbox)
    attacker = await login(api, sandbox)
    response = await api.post("/api/auth/logout", headers=attacker.headers,
                              json={"refresh_token": victim.refresh_token})
    refused(response, 401, "auth.token_invalid")
    assert (await refresh(api, victim.refresh_token)).status_code == 200


# ---- phone numbers -----------------------------------------------------------------------------------


async def test_a_guest_binding_a_phone_by_code_joins_and_the_number_is_stored_masked_and_encrypted(api, sandbox, db):
    driver = await login(api, sandbox)
    assert await me(api, driver) is None
    code = (await sandbox.phone_code("13800138000"))["code"]
    response = await api.post("/api/me/phone", headers=driver.headers, json={"code": code})
    assert response.status_code == 200, response.text
    member = response.json()["member"]
    assert member["phone"] == "138****8000"
    assert member["joined_via"] == "login" and member["points_balance"] == 0
    assert await me(api, driver) == member
    assert "13800138000" not in response.text

    stored = await Member.get(openid=driver.openid)
    assert stored.phone_masked == "138****8000"
    assert stored.phone_enc and "13800138000" not in stored.phone_enc and "8000" not in stored.phone_enc
    assert stored.phone_hash and len(stored.phone_hash) == 64 and "13800138000" not in stored.phone_hash

    # the code is spent: using it again is refused and changes nothing
    refused(await api.post("/api/me/phone", headers=driver.headers, json={"code": code}), 400, "phone.code_invalid")
    assert (await Member.get(openid=driver.openid)).phone_enc == stored.phone_enc


async def test_a_member_binding_by_legacy_encrypted_data_keeps_the_membership(api, sandbox, db):
    driver = await login(api, sandbox)
    order, payment = await place_order(api, driver, amount_fen=10000)
    await sandbox.request_payment(payment)
    await wait_paid(api, driver, order["out_trade_no"])
    payload = await sandbox.encrypt_phone(driver.openid, "13900139000")
    response = await api.post("/api/me/phone", headers=driver.headers, json=payload)
    assert response.status_code == 200, response.text
    member = response.json()["member"]
    assert member["phone"] == "139****9000"
    assert member["joined_via"] == "payment" and member["points_balance"] == 100
    stored = await Member.get(openid=driver.openid)
    assert "13900139000" not in stored.phone_enc and stored.phone_hash


async def test_legacy_phone_data_of_another_app_is_refused_and_binds_nothing(api, sandbox, db):
    driver = await login(api, sandbox)
    payload = await sandbox.encrypt_phone(driver.openid, "13900139000", appid="wx_someone_else")
    refused(await api.post("/api/me/phone", headers=driver.headers, json=payload), 400, "phone.data_invalid")
    # and data that is not even ciphertext of this session
    garbage = {"encrypted_data": "bm90IGNpcGhlcnRleHQ=", "iv": payload["iv"]}
    refused(await api.post("/api/me/phone", headers=driver.headers, json=garbage), 400, "phone.data_invalid")
    refused(await api.post("/api/me/phone", headers=driver.headers, json={"encrypted_data": payload["encrypted_data"],
                                                                         "iv": "short"}), 400, "phone.data_invalid")
    assert await me(api, driver) is None
    assert await Member.filter(openid=driver.openid).count() == 0


async def test_a_bad_phone_code_is_refused_and_binds_nothing(api, sandbox, db):
    driver = await login(api, sandbox)
    refused(await api.post("/api/me/phone", headers=driver.headers, json={"code": "not-a-code"}),
            400, "phone.code_invalid")
    refused(await api.post("/api/me/phone", headers=driver.headers, json={}), 422, "request.invalid")
    refused(await api.post("/api/me/phone", headers=driver.headers, json={"code": 13800138000}), 422,
            "request.invalid")
    refused(await api.post("/api/me/phone", json={"code": "x"}), 401, "auth.required")
    assert await Member.filter(openid=driver.openid).count() == 0


async def test_phone_bindings_share_one_stable_access_token_and_never_call_cgi_bin_token(api, sandbox):
    # a new token is fetched once (after WeChat expired the old one), then shared by every binding
    await sandbox.expire_tokens()
    before = len(await sandbox.records("tokens"))
    for i in range(5):
        driver = await login(api, sandbox)
        code = (await sandbox.phone_code(f"1370000000{i}"))["code"]
        response = await api.post("/api/me/phone", headers=driver.headers, json={"code": code})
        assert response.status_code == 200, response.text
        assert response.json()["member"]["phone"] == f"137****000{i}"
    records = await sandbox.records("tokens")
    calls = records[before:]
    assert {r["endpoint"] for r in calls} == {"stable_token"}, calls
    assert all(r["errcode"] == 0 for r in calls), calls
    assert 1 <= len(calls) <= 2, calls  # not one per binding
    assert not [r for r in records if r["endpoint"] == "token"]  # cgi-bin/token is never called


# ---- the WeChat edge against WeChat's published vectors (no stack) -----------------------------------


def test_the_v2_signature_matches_wechats_published_example():
    vector = OFFICIAL["pay_v2_signature"]
    assert calculate_signature(dict(vector["params"]), vector["key"]) == vector["md5"]
    assert calculate_signature_hmac(dict(vector["params"]), vector["key"]) == vector["hmac_sha256"]
    # and a changed parameter or key changes it
    assert calculate_signature({**vector["params"], "body": "test2"}, vector["key"]) != vector["md5"]
    assert calculate_signature_hmac(dict(vector["params"]), vector["key"][::-1]) != vector["hmac_sha256"]


def test_the_wxa_encrypted_data_demo_decrypts_to_the_published_fields_and_only_for_its_app():
    vector = OFFICIAL["wxa_encrypted_data"]
    crypto = WeChatWxaCrypto(vector["session_key"], vector["iv"], vector["appid"])
    data = crypto.decrypt_message(vector["encrypted_data"])
    for name, value in vector["plaintext_fields"].items():
        assert data[name] == value
    with pytest.raises(InvalidAppIdException):
        WeChatWxaCrypto(vector["session_key"], vector["iv"], "wx_someone_else").decrypt_message(
            vector["encrypted_data"])
