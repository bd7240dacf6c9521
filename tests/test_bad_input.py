"""Bad input of every kind gets a clear error in the error format (or WeChat Pay's own form), changes nothing,
and never a 500: bodies, amounts, stations, tokens, v3 and v2 payment notifications, routes and queries."""

from __future__ import annotations

import base64
import json
import time

import jwt
import pytest
import xmltodict
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from app.models import LedgerEntry, Member, Order
from app.sandbox import wechatpay as wp
from tests.conftest import V2_KEY
from tests.helpers import login, me, place_order, wait_paid, wait_until

GOOD_ORDER = {"station_id": 1, "pump_no": 1, "grade": "92#", "amount_fen": 30000}


def refused(response, status: int, code: str, field: str | None = ...) -> dict:
    """The response is the error format with this status and code (and field, when given)."""
    assert "Traceback" not in response.text
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "field"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    if field is not ...:
        assert body["error"]["field"] == field, body
    return body["error"]


async def nothing_ordered_by(driver) -> None:
    """The driver has no order, no membership and no ledger entry."""
    assert await Order.filter(openid=driver.openid).count() == 0
    assert await Member.filter(openid=driver.openid).count() == 0


async def still_unpaid(api, driver, out_trade_no: str) -> None:
    """The order is still created (as the driver sees it and in the database), with no points anywhere."""
    response = await api.get(f"/api/orders/{out_trade_no}", headers=driver.headers)
    assert response.status_code == 200, response.text
    assert response.json()["order"]["status"] == "created"
    assert response.json()["order"]["points_earned"] == 0
    order = await Order.get(out_trade_no=out_trade_no)
    assert order.status == "created" and order.transaction_id is None and order.paid_at is None
    assert await LedgerEntry.filter(source_id=out_trade_no).count() == 0
    assert await me(api, driver) is None  # still a guest


def new_log(stack, name: str, since: int) -> str:
    return stack.log(name)[since:]


# ---- POST /api/orders: bodies ------------------------------------------------------------------------


async def test_a_body_that_is_not_json_or_not_an_object_is_refused_and_creates_no_order(api, sandbox, db):
    driver = await login(api, sandbox)
    headers = {**driver.headers, "Content-Type": "application/json"}
    refused(await api.post("/api/orders", headers=headers, content=b'{"station_id": 1, "pump_no": '),
            400, "request.malformed_json")
    refused(await api.post("/api/orders", headers=headers, content=b"\xff\xfe not even text"),
            400, "request.malformed_json")
    refused(await api.post("/api/orders", headers=driver.headers), 400, "request.malformed_json")
    refused(await api.post("/api/orders", headers=driver.headers, json=[GOOD_ORDER]), 422, "request.invalid")
    refused(await api.post("/api/orders", headers=driver.headers, json="30000"), 422, "request.invalid")
    refused(await api.post("/api/orders", headers=driver.headers, json=None), 400, "request.malformed_json")
    await nothing_ordered_by(driver)


async def test_missing_or_wrong_typed_order_fields_are_refused_naming_the_field(api, sandbox, db):
    driver = await login(api, sandbox)
    cases = [
        ({k: v for k, v in GOOD_ORDER.items() if k != "grade"}, "grade"),
        ({k: v for k, v in GOOD_ORDER.items() if k != "station_id"}, "station_id"),
        ({**GOOD_ORDER, "amount_fen": "30000"}, "amount_fen"),  # strict: "30000" is not 30000
        ({**GOOD_ORDER, "amount_fen": 300.5}, "amount_fen"),
        ({**GOOD_ORDER, "amount_fen": True}, "amount_fen"),
        ({**GOOD_ORDER, "station_id": "1"}, "station_id"),
        ({**GOOD_ORDER, "pump_no": None}, "pump_no"),
        ({**GOOD_ORDER, "grade": 92}, "grade"),
        ({**GOOD_ORDER, "grade": ""}, "grade"),
        ({**GOOD_ORDER, "grade": "9" * 17}, "grade"),
        ({**GOOD_ORDER, "station_id": 2**70}, "station_id"),
        ({**GOOD_ORDER, "pump_no": 2**70}, "pump_no"),
        ({**GOOD_ORDER, "pump_no": 0}, "pump_no"),
    ]
    for body, field in cases:
        refused(await api.post("/api/orders", headers=driver.headers, json=body), 422, "request.invalid", field)
    await nothing_ordered_by(driver)


async def test_an_order_must_give_exactly_one_of_amount_or_litres(api, sandbox, db):
    driver = await login(api, sandbox)
    both = {**GOOD_ORDER, "litres": 30.0}
    neither = {k: v for k, v in GOOD_ORDER.items() if k != "amount_fen"}
    nulls = {**neither, "amount_fen": None, "litres": None}
    for body in (both, neither, nulls):
        error = refused(await api.post("/api/orders", headers=driver.headers, json=body), 422, "request.invalid")
        assert "amount_fen or litres" in error["message"]
    await nothing_ordered_by(driver)


async def test_an_unknown_station_pump_or_grade_is_refused_with_its_own_code(api, sandbox, db):
    driver = await login(api, sandbox)
    refused(await api.post("/api/orders", headers=driver.headers, json={**GOOD_ORDER, "station_id": 999999}),
            404, "station.not_found", "station_id")
    refused(await api.post("/api/orders", headers=driver.headers, json={**GOOD_ORDER, "pump_no": 99}),
            422, "station.pump_unknown", "pump_no")
    # pump 4 of the first demo station sells only diesel
    refused(await api.post("/api/orders", headers=driver.headers, json={**GOOD_ORDER, "pump_no": 4}),
            422, "station.grade_unknown", "grade")
    refused(await api.post("/api/orders", headers=driver.headers, json={**GOOD_ORDER, "grade": "101#"}),
            422, "station.grade_unknown", "grade")
    await nothing_ordered_by(driver)
    assert await sandbox.records("prepays", openid=driver.openid) == []


async def test_a_zero_negative_tiny_or_absurd_amount_is_refused_as_out_of_range(api, sandbox, db):
    driver = await login(api, sandbox)
    for amount in (0, -100, 99, 500_001, 10**12):
        refused(await api.post("/api/orders", headers=driver.headers, json={**GOOD_ORDER, "amount_fen": amount}),
                422, "order.amount_out_of_range", "amount_fen")
    # beyond a 64-bit integer the body itself is invalid
    refused(await api.post("/api/orders", headers=driver.headers, json={**GOOD_ORDER, "amount_fen": 2**64}),
            422, "request.invalid", "amount_fen")
    await nothing_ordered_by(driver)


async def test_zero_negative_absurd_or_not_a_number_litres_are_refused(api, sandbox, db):
    driver = await login(api, sandbox)
    base = {k: v for k, v in GOOD_ORDER.items() if k != "amount_fen"}
    for litres in (0, 0.0, -1, -0.5, 1e308, 10_001):
        refused(await api.post("/api/orders", headers=driver.headers, json={**base, "litres": litres}),
                422, "request.invalid", "litres")
    # a thousandth of a litre is 0.01 yuan: below the minimum order
    refused(await api.post("/api/orders", headers=driver.headers, json={**base, "litres": 0.001}),
            422, "order.amount_out_of_range", "litres")
    refused(await api.post("/api/orders", headers=driver.headers, json={**base, "litres": "30"}),
            422, "request.invalid", "litres")
    headers = {**driver.headers, "Content-Type": "application/json"}
    for raw in (b'{"station_id": 1, "pump_no": 1, "grade": "92#", "litres": NaN}',
                b'{"station_id": 1, "pump_no": 1, "grade": "92#", "litres": Infinity}',
                b'{"station_id": 1, "pump_no": 1, "grade": "92#", "litres": -Infinity}',
                b'{"station_id": 1, "pump_no": 1, "grade": "92#", "amount_fen": 1e400}'):
        response = await api.post("/api/orders", headers=headers, content=raw)
        assert response.status_code in (400, 422), response.text
        refused(response, response.status_code,
                "request.malformed_json" if response.status_code == 400 else "request.invalid")
    await nothing_ordered_by(driver)


# ---- tokens ------------------------------------------------------------------------------------------


def _token(secret: str, *, openid: str, typ: str = "access", iat: int | None = None, ttl_s: int = 900,
           algorithm: str = "HS256", **extra) -> str:
    """A token of the same claims shape as app.security.issue_token."""
    now = int(time.time()) if iat is None else iat
    claims = {"sub": openid, "typ": typ, "iat": now, "exp": now + ttl_s, "jti": "t" + str(time.time_ns()), **extra}
    return jwt.encode(claims, secret, algorithm=algorithm)


async def test_a_missing_garbage_forged_or_expired_token_is_refused_and_orders_nothing(api, sandbox, stack, db):
    driver = await login(api, sandbox)
    secret = stack.env["JWT_SECRET"]
    assert _token(secret, openid=driver.openid)  # the shape is right: the same secret would be accepted
    ok = await api.get("/api/me", headers={"Authorization": f"Bearer {_token(secret, openid=driver.openid)}"})
    assert ok.status_code == 200 and ok.json()["openid"] == driver.openid

    missing = [{}, {"Authorization": ""}, {"Authorization": "Bearer"},
               {"Authorization": f"Basic {driver.access_token}"}, {"Authorization": driver.access_token}]
    invalid = [
        "garbage",
        "a.b.c",
        _token("another-secret-" + "x" * 40, openid=driver.openid),
        _token(secret, openid=driver.openid, iat=int(time.time()) - 3600, ttl_s=1800),  # expired
        driver.refresh_token,  # a refresh token is not an access token
        _token(secret, openid=driver.openid, typ="refresh"),
        _token(secret, openid=driver.openid, typ=None),
        jwt.encode({"sub": driver.openid, "typ": "access", "exp": int(time.time()) + 900, "jti": "n"}, None,
                   algorithm="none"),
        jwt.encode({"sub": driver.openid, "typ": "access", "jti": "n"}, secret, algorithm="HS256"),  # no exp
        jwt.encode({"sub": 12345, "typ": "access", "exp": int(time.time()) + 900, "jti": "n"}, secret,
                   algorithm="HS256"),
        _token(secret, openid=driver.openid, algorithm="HS512"),
    ]
    for path, method in (("/api/me", "GET"), ("/api/me/points", "GET"), ("/api/orders", "POST"),
                         ("/api/orders/YZ2025010100000000000001", "GET")):
        for headers in missing:
            response = await api.request(method, path, headers=headers, json=GOOD_ORDER if method == "POST" else None)
            refused(response, 401, "auth.required")
        for token in invalid:
            response = await api.request(method, path, headers={"Authorization": f"Bearer {token}"},
                                         json=GOOD_ORDER if method == "POST" else None)
            refused(response, 401, "auth.token_invalid")
    await nothing_ordered_by(driver)


# ---- v3 payment notifications ------------------------------------------------------------------------


def _fresh_private_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _v3_refused(response) -> None:
    """WeChat Pay's form of a refusal: 4xx and {"code": "FAIL", "message"} (so it sends again later)."""
    assert "Traceback" not in response.text
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    body = response.json()
    assert body["code"] == "FAIL" and body["message"], body


async def test_a_refused_v3_notification_changes_nothing_and_the_real_one_still_credits_once(api, sandbox, stack, db):
    settings = stack.settings()
    platform_key = stack.platform_private_key
    driver = await login(api, sandbox)
    order, payment = await place_order(api, driver, amount_fen=30000)
    no, total = order["out_trade_no"], order["amount_fen"]
    web_log_at = len(stack.log("web"))

    def body_for(**overrides) -> str:
        fields = {"apiv3_key": settings.pay_apiv3_key, "appid": settings.wechat_appid, "mchid": settings.pay_mchid,
                  "out_trade_no": no, "total": total, "openid": driver.openid, **overrides}
        return wp.build_transaction_notification(**fields)

    def signed(body: str, key: bytes = platform_key, **kwargs) -> dict:
        return wp.notification_headers(key, settings.pay_public_key_id, body, **kwargs)

    good = body_for()
    garbage = json.loads(good)
    garbage["resource"]["ciphertext"] = base64.b64encode(b"\x00" * 64).decode()
    garbage = wp.dumps(garbage)
    not_base64 = json.loads(good)
    not_base64["resource"]["ciphertext"] = "%%% not base64 %%%"
    not_base64 = wp.dumps(not_base64)
    tampered = json.loads(good)
    tampered["summary"] = "tampered after signing"
    headers_of_good = signed(good)
    no_signature = {k: v for k, v in signed(good).items() if k != "Wechatpay-Signature"}
    attempts = [
        ("bad signature", good, signed(good, key=_fresh_private_key())),
        ("signed, then changed", wp.dumps(tampered), headers_of_good),
        ("timestamp 6 minutes old", good, signed(good, timestamp=int(time.time()) - 360)),
        ("timestamp 6 minutes ahead", good, signed(good, timestamp=int(time.time()) + 360)),
        ("timestamp not a number", good, {**signed(good), "Wechatpay-Timestamp": "yesterday"}),
        ("wrong amount", body_for(total=total - 1), signed(body_for(total=total - 1))),
        ("wrong amount, larger", body_for(total=total * 100), signed(body_for(total=total * 100))),
        ("another payer", body_for(openid="o_someone_else_000000000000"),
         signed(body_for(openid="o_someone_else_000000000000"))),
        ("another merchant", body_for(mchid="1900009999"), signed(body_for(mchid="1900009999"))),
        ("unknown order", body_for(out_trade_no="YZ20250101000000999999999"),
         signed(body_for(out_trade_no="YZ20250101000000999999999"))),
        ("not paid", body_for(trade_state="NOTPAY"), signed(body_for(trade_state="NOTPAY"))),
        ("missing headers", good, {"Content-Type": "application/json"}),
        ("missing signature header", good, no_signature),
        ("unknown serial", good, {**signed(good), "Wechatpay-Serial": "PUB_KEY_ID_SOMEONE_ELSE"}),
        ("body not JSON, correctly signed", "this is not json", signed("this is not json")),
        ("body a JSON list, correctly signed", "[1, 2]", signed("[1, 2]")),
        ("garbage ciphertext, correctly signed", garbage, signed(garbage)),
        ("ciphertext not base64, correctly signed", not_base64, signed(not_base64)),
        ("empty body", "", signed("")),
    ]
    for name, body, headers in attempts:
        response = await api.post("/api/wechat/pay/notify", content=body.encode(), headers=headers)
        try:
            _v3_refused(response)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc

    await still_unpaid(api, driver, no)
    assert "Traceback" not in new_log(stack, "web", web_log_at)

    # the refusals poisoned nothing: the real payment's notification is accepted and credits once
    paid = await sandbox.request_payment(payment)
    assert paid["errMsg"] == "requestPayment:ok"

    async def acknowledged():
        records = await sandbox.records("notifications", out_trade_no=no)
        return [r for r in records if r["acknowledged"]]

    delivery = (await wait_until(acknowledged))[0]
    assert delivery["status"] == 204 and delivery["attempt"] == 1
    assert (await Order.get(out_trade_no=no)).paid_via == "notify"
    settled = await wait_paid(api, driver, no)
    assert settled["points_earned"] == 300

    # and a second, correctly signed statement of the same payment is acknowledged without crediting again
    again = await api.post("/api/wechat/pay/notify", content=good.encode(), headers=signed(good))
    assert again.status_code == 204, again.text
    assert await LedgerEntry.filter(source_id=no).count() == 1
    assert (await me(api, driver))["points_balance"] == 300


# ---- v2 (XML) payment notifications ------------------------------------------------------------------


def _v2_refused(response) -> dict:
    """The v2 form of a refusal: XML with return_code FAIL, a 4xx status."""
    assert "Traceback" not in response.text
    assert 400 <= response.status_code < 500, (response.status_code, response.text)
    reply = xmltodict.parse(response.text)["xml"]
    assert reply["return_code"] == "FAIL", reply
    assert reply["return_msg"], reply
    return reply


async def test_a_malformed_or_badly_signed_v2_notification_is_refused_and_changes_nothing(api, sandbox, stack, db):
    settings = stack.settings()
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=25000)
    no, total = order["out_trade_no"], order["amount_fen"]
    web_log_at = len(stack.log("web"))

    def params(**overrides) -> dict:
        fields = {"appid": settings.wechat_appid, "mch_id": settings.pay_mchid, "key": V2_KEY, "out_trade_no": no,
                  "total_fee": total, "openid": driver.openid, **overrides}
        return wp.v2_notification_params(**fields)

    good = wp.v2_xml(params())
    bad_sign = {**params(), "sign": "0" * 32}
    resigned_with_other_key = params(key="someoneElsesV2Key0123456789abcde")
    unknown_sign_type = params()
    unknown_sign_type["sign_type"] = "SHA1"
    hmac_declared_md5_signed = params(sign_type="MD5")
    hmac_declared_md5_signed["sign_type"] = "HMAC-SHA256"
    tampered_amount = {**params(), "total_fee": total * 10}
    attempts = [
        ("truncated XML", good[: len(good) // 2]),
        ("truncated by one character", good[:-1]),
        ("entity declaration", '<!DOCTYPE xml [<!ENTITY x "y">]>'
                               + good.replace("<bank_type><![CDATA[OTHERS]]>", "<bank_type>&x;")),
        ("entity declaration, unused", '<!DOCTYPE xml [<!ENTITY x "y">]>' + good),
        ("billion laughs", '<!DOCTYPE xml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                           '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><xml><return_code>&c;</return_code></xml>'),
        ("external entity", '<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                            '<xml><return_code>&x;</return_code></xml>'),
        ("bad sign", wp.v2_xml(bad_sign)),
        ("signed with another key", wp.v2_xml(resigned_with_other_key)),
        ("unknown sign_type", wp.v2_xml(unknown_sign_type)),
        ("sign_type says HMAC, signed with MD5", wp.v2_xml(hmac_declared_md5_signed)),
        ("amount changed after signing", wp.v2_xml(tampered_amount)),
        ("wrong amount, correctly signed", wp.v2_xml(params(total_fee=total + 1))),
        ("unknown order, correctly signed", wp.v2_xml(params(out_trade_no="YZ20250101000000999999998"))),
        ("another payer, correctly signed", wp.v2_xml(params(openid="o_someone_else_000000000000"))),
        ("nested elements", good.replace("<bank_type><![CDATA[OTHERS]]></bank_type>",
                                         "<bank_type><a>1</a><a>2</a></bank_type>")),
        ("not XML", '{"return_code": "SUCCESS"}'),
        ("empty", ""),
        ("another root", good.replace("<xml>", "<root>").replace("</xml>", "</root>")),
    ]
    for name, body in attempts:
        response = await api.post("/api/wechat/pay/notify/v2", content=body.encode(),
                                  headers={"Content-Type": "text/xml"})
        try:
            _v2_refused(response)
        except AssertionError as exc:
            raise AssertionError(f"{name}: {exc}") from exc

    await still_unpaid(api, driver, no)
    assert "Traceback" not in new_log(stack, "web", web_log_at)


@pytest.mark.parametrize("sign_type", ["MD5", "HMAC-SHA256"])
async def test_a_correctly_signed_v2_notification_is_accepted_and_credits_the_points(api, sandbox, stack, db,
                                                                                   sign_type):
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=12345)
    no = order["out_trade_no"]
    await sandbox.pay(no, protocol="v2", sign_type=sign_type, notify_url=f"{stack.api_url}/api/wechat/pay/notify/v2")

    async def acknowledged():
        records = await sandbox.records("notifications", out_trade_no=no)
        return [r for r in records if r["acknowledged"]]

    delivery = (await wait_until(acknowledged))[0]
    assert delivery["protocol"] == "v2" and delivery["status"] == 200 and delivery["attempt"] == 1
    assert (await Order.get(out_trade_no=no)).paid_via == "notify_v2"
    settled = await wait_paid(api, driver, no)
    assert settled["points_earned"] == 123
    member = await me(api, driver)
    assert member["points_balance"] == 123 and member["joined_via"] == "payment"
    assert await LedgerEntry.filter(source_id=no).count() == 1


# ---- routes and queries ------------------------------------------------------------------------------


async def test_unknown_routes_and_wrong_methods_answer_in_the_error_format(api):
    refused(await api.get("/api/nothing-here"), 404, "route.not_found")
    refused(await api.get("/api/orders/YZ1/more"), 404, "route.not_found")
    refused(await api.post("/api/stations", json={}), 405, "route.method_not_allowed")
    refused(await api.get("/api/auth/login"), 405, "route.method_not_allowed")
    refused(await api.delete("/api/me"), 405, "route.method_not_allowed")
    refused(await api.put("/api/wechat/pay/notify", content=b"{}"), 405, "route.method_not_allowed")


async def test_someone_elses_order_is_not_found_and_stays_as_it_was(api, sandbox, db):
    owner = await login(api, sandbox)
    order, _ = await place_order(api, owner, amount_fen=10000)
    other = await login(api, sandbox)
    refused(await api.get(f"/api/orders/{order['out_trade_no']}", headers=other.headers), 404, "order.not_found")
    refused(await api.get("/api/orders/YZ20250101000000000000000", headers=other.headers), 404, "order.not_found")
    refused(await api.get("/api/orders/%27%20OR%201%3D1--", headers=other.headers), 404, "order.not_found")
    stored = await Order.get(out_trade_no=order["out_trade_no"])
    assert stored.status == "created" and stored.openid == owner.openid and stored.last_queried_at is None


async def test_an_order_number_longer_than_any_we_issue_is_not_found_not_a_server_error(api, sandbox):
    driver = await login(api, sandbox)
    for length in (33, 64, 500):
        response = await api.get("/api/orders/" + "Z" * length, headers=driver.headers)
        refused(response, 404, "order.not_found")


async def _a_member(api, sandbox):
    driver = await login(api, sandbox)
    order, payment = await place_order(api, driver, amount_fen=10000)
    await sandbox.request_payment(payment)
    await wait_paid(api, driver, order["out_trade_no"])
    return driver


async def test_a_bad_limit_days_or_cursor_on_the_points_history_is_refused(api, sandbox, db):
    driver = await _a_member(api, sandbox)
    for query, field in (("limit=abc", "limit"), ("limit=0", "limit"), ("limit=101", "limit"), ("limit=1.5", "limit"),
                         ("days=-1", "days"), ("days=abc", "days"), ("cursor=xyz", "cursor"),
                         ("cursor=1.5", "cursor")):
        response = await api.get(f"/api/me/points?{query}", headers=driver.headers)
        error = refused(response, 422, response.json()["error"]["code"], field)
        assert error["code"] in ("request.invalid", "request.cursor_invalid"), (query, error)
    history = await api.get("/api/me/points", headers=driver.headers)
    assert [i["delta"] for i in history.json()["items"]] == [100]


async def test_a_cursor_beyond_any_id_is_refused_not_a_server_error(api, sandbox, db):
    driver = await _a_member(api, sandbox)
    for cursor in (str(2**63), str(10**30), "-" + str(10**30)):
        response = await api.get(f"/api/me/points?cursor={cursor}", headers=driver.headers)
        assert "Traceback" not in response.text
        refused(response, 422, "request.cursor_invalid", "cursor")


async def test_a_guest_sending_a_bad_limit_or_cursor_is_refused_too(api, sandbox):
    guest = await login(api, sandbox)
    refused(await api.get("/api/me/points?limit=abc", headers=guest.headers), 422, "request.invalid", "limit")
    refused(await api.get("/api/me/points?cursor=xyz", headers=guest.headers), 422, "request.cursor_invalid",
            "cursor")
