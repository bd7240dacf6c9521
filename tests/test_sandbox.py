"""The WeChat sandbox, driven over the wire by the same clients the app uses (httpx, wechatpy, wechatpayv3)."""

from __future__ import annotations

import asyncio
import base64
import inspect
import json
import secrets
import time

import httpx
import pytest
import xmltodict
from wechatpayv3.async_ import AsyncWeChatPay
from wechatpayv3.async_.type import WeChatPayType
from wechatpy import WeChatClient
from wechatpy.crypto import WeChatWxaCrypto
from wechatpy.exceptions import InvalidAppIdException
from wechatpy.pay.utils import calculate_signature_hmac

from app.sandbox import wechatpay as wp
from app.sandbox.client import SandboxClient, SandboxError, SyncSandboxClient
from app.sandbox.keys import ensure_sandbox_keys
from app.sandbox.process import SandboxProcess
from app.sandbox.subscribe import value_is_valid
from app.settings import (
    SANDBOX_APIV3_KEY,
    SANDBOX_APPID,
    SANDBOX_CERT_SERIAL,
    SANDBOX_MCHID,
    SANDBOX_PUBLIC_KEY_ID,
    SANDBOX_SECRET,
)

V2_KEY = "sandboxV2Key0123456789abcdefghij"
TEMPLATE = "TPL_TEST_POINTS"


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    # generated before the child starts, so the test and the sandbox read the same files
    return ensure_sandbox_keys(tmp_path_factory.mktemp("sandbox") / "keys")


@pytest.fixture(scope="module")
def sandbox(keys, tmp_path_factory):
    log = tmp_path_factory.mktemp("sandbox-log") / "sandbox.log"
    proc = SandboxProcess(keys_dir=keys.merchant_private.parent, retry_scale=0.001, log_path=log,
                          extra_args=("--v2-key", V2_KEY)).start()
    yield proc
    started = time.monotonic()
    code = proc.stop(timeout=10.0)
    assert time.monotonic() - started < 10.0, "the sandbox did not stop on SIGTERM"
    assert code == 0, proc.log_tail()
    assert f"sandbox listening on {proc.base_url}" in proc.log_tail(100_000)


@pytest.fixture
async def sb(sandbox):
    client = SandboxClient(sandbox.base_url)
    yield client
    await client.aclose()


@pytest.fixture
async def http():
    async with httpx.AsyncClient(timeout=10.0) as client:
        yield client


def pay_client(sandbox, keys, notify_url: str = "http://127.0.0.1:9/notify",
               private_key: str | None = None) -> AsyncWeChatPay:
    client = AsyncWeChatPay(
        wechatpay_type=WeChatPayType.MINIPROG, mchid=SANDBOX_MCHID,
        private_key=private_key or keys.merchant_private.read_text(), cert_serial_no=SANDBOX_CERT_SERIAL,
        appid=SANDBOX_APPID, apiv3_key=SANDBOX_APIV3_KEY, notify_url=notify_url,
        public_key=keys.platform_public.read_text(), public_key_id=SANDBOX_PUBLIC_KEY_ID,
    )
    client._core._gate_way = sandbox.base_url
    return client


async def stable_token(http, sandbox, force: bool = False) -> dict:
    body = {"grant_type": "client_credential", "appid": SANDBOX_APPID, "secret": SANDBOX_SECRET,
            "force_refresh": force}
    return (await http.post(f"{sandbox.base_url}/cgi-bin/stable_token", json=body)).json()


async def send_message(http, sandbox, token: str, openid: str, data: dict, template_id: str = TEMPLATE) -> dict:
    body = {"touser": openid, "template_id": template_id, "page": "pages/index/index", "data": data,
            "miniprogram_state": "developer", "lang": "zh_CN"}
    url = f"{sandbox.base_url}/cgi-bin/message/subscribe/send"
    return (await http.post(url, params={"access_token": token}, json=body)).json()


async def eventually(check, within: float = 5.0):
    deadline = time.monotonic() + within
    while True:
        result = check()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


class Receiver:
    """A merchant's notify endpoint on a raw asyncio server, answering a scripted list of statuses."""

    def __init__(self, statuses: list[int], reply: bytes = b""):
        self.statuses = list(statuses)
        self.reply = reply
        self.requests: list[tuple[str, dict, bytes]] = []
        self._server: asyncio.base_events.Server | None = None

    async def __aenter__(self) -> Receiver:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()
        await self._server.wait_closed()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/notify"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        path = head[0].split(" ")[1]
        headers = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append((path, headers, body))
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: {len(self.reply)}\r\nConnection: close\r\n\r\n".encode()
                     + self.reply)
        await writer.drain()
        writer.close()


def order_no() -> str:
    return "T" + secrets.token_hex(10)


# ---- mini-program APIs ---------------------------------------------------------------------------------


async def test_stable_token_is_shared_until_forced(sandbox, sb, http):
    await sb.reset_records()
    first, second = await stable_token(http, sandbox), await stable_token(http, sandbox)
    assert first["access_token"] == second["access_token"]
    assert 7190 <= second["expires_in"] <= 7200
    forced = await stable_token(http, sandbox, force=True)
    assert forced["access_token"] != first["access_token"]
    assert (await stable_token(http, sandbox))["access_token"] == forced["access_token"]
    # the old token stays usable for 30 s: a bad phone code is then 40029, not 40001
    url = f"{sandbox.base_url}/wxa/business/getuserphonenumber"
    old = (await http.post(url, params={"access_token": first["access_token"]}, json={"code": "x"})).json()
    assert old["errcode"] == 40029
    unknown = (await http.post(url, params={"access_token": "nope"}, json={"code": "x"})).json()
    assert unknown == {"errcode": 40001, "errmsg": "invalid credential"}
    bad = await http.post(f"{sandbox.base_url}/cgi-bin/stable_token",
                          json={"grant_type": "client_credential", "appid": SANDBOX_APPID, "secret": "wrong"})
    assert bad.status_code == 200 and bad.json()["errcode"] == 40125
    records = await sb.records("tokens")
    assert [(r["endpoint"], r["errcode"]) for r in records] == [("stable_token", 0)] * 4 + [("stable_token", 40125)]
    assert sum(r["force_refresh"] for r in records) == 1


async def test_plain_token_replaces_the_previous_and_is_recorded(sandbox, sb, http):
    url = f"{sandbox.base_url}/cgi-bin/token"
    params = {"grant_type": "client_credential", "appid": SANDBOX_APPID, "secret": SANDBOX_SECRET}
    first = (await http.get(url, params=params)).json()["access_token"]
    second = (await http.get(url, params=params)).json()["access_token"]
    assert first != second
    phone = f"{sandbox.base_url}/wxa/business/getuserphonenumber"
    assert (await http.post(phone, params={"access_token": first}, json={"code": "x"})).json()["errcode"] == 40001
    assert (await http.post(phone, params={"access_token": second}, json={"code": "x"})).json()["errcode"] == 40029
    assert any(r["endpoint"] == "token" for r in await sb.records("tokens"))


async def test_code2session_spends_the_code(sandbox, sb, http):
    minted = await sb.login_code()
    assert minted["openid"].startswith("o") and len(minted["openid"]) == 28
    params = {"appid": SANDBOX_APPID, "secret": SANDBOX_SECRET, "js_code": minted["code"],
              "grant_type": "authorization_code"}
    url = f"{sandbox.base_url}/sns/jscode2session"
    session = (await http.get(url, params=params)).json()
    assert session["openid"] == minted["openid"] and session["unionid"] == minted["unionid"]
    assert len(base64.b64decode(session["session_key"])) == 16
    assert (await sb.session_key(minted["openid"]))["session_key"] == session["session_key"]
    assert (await http.get(url, params=params)).json() == {"errcode": 40029, "errmsg": "invalid code"}
    again = await sb.login_code(openid=minted["openid"])
    assert again["unionid"] == minted["unionid"]
    assert (await http.get(url, params={**params, "js_code": again["code"], "appid": "wxother"})).json()[
        "errcode"] == 40013
    assert (await http.get(url, params={**params, "js_code": again["code"], "secret": "x"})).json()["errcode"] == 40125


async def test_phone_number_by_code_and_legacy_payload(sandbox, sb, http):
    token = (await stable_token(http, sandbox))["access_token"]
    code = (await sb.phone_code("13800138000"))["code"]
    url = f"{sandbox.base_url}/wxa/business/getuserphonenumber"
    answer = (await http.post(url, params={"access_token": token}, json={"code": code})).json()
    assert answer["errcode"] == 0
    assert answer["phone_info"]["purePhoneNumber"] == "13800138000"
    assert answer["phone_info"]["watermark"]["appid"] == SANDBOX_APPID
    assert (await http.post(url, params={"access_token": token}, json={"code": code})).json()["errcode"] == 40029

    minted = await sb.login_code()
    params = {"appid": SANDBOX_APPID, "secret": SANDBOX_SECRET, "js_code": minted["code"],
              "grant_type": "authorization_code"}
    session_key = (await http.get(f"{sandbox.base_url}/sns/jscode2session", params=params)).json()["session_key"]
    payload = await sb.encrypt_phone(minted["openid"], "13900139000")
    data = WeChatWxaCrypto(session_key, payload["iv"], SANDBOX_APPID).decrypt_message(payload["encrypted_data"])
    assert data["purePhoneNumber"] == "13900139000" and data["countryCode"] == "86"
    foreign = await sb.encrypt_phone(minted["openid"], "13900139000", appid="wxsomeoneelse")
    with pytest.raises(InvalidAppIdException):
        WeChatWxaCrypto(session_key, foreign["iv"], SANDBOX_APPID).decrypt_message(foreign["encrypted_data"])


async def test_subscribe_send_needs_a_grant_and_valid_values(sandbox, sb, http):
    token = (await stable_token(http, sandbox))["access_token"]
    openid = (await sb.login_code())["openid"]
    data = {"thing1": {"value": "加油积分到账"}, "number2": {"value": "120"}, "time3": {"value": "2024-05-01 10:30"},
            "amount4": {"value": "¥300.00"}}
    assert await send_message(http, sandbox, token, openid, data) == {
        "errcode": 43101, "errmsg": "user refuse to accept the msg"}
    assert (await sb.subscribe(openid, [TEMPLATE]))["grants"] == {TEMPLATE: "accept"}
    assert (await sb.grants(openid, TEMPLATE))["grants"] == 1
    too_long = {**data, "thing1": {"value": "一" * 21}}
    assert await send_message(http, sandbox, token, openid, too_long) == {
        "errcode": 47003, "errmsg": "argument invalid! data.thing1.value invalid"}
    assert (await sb.grants(openid, TEMPLATE))["grants"] == 1  # a refused send does not spend the grant
    sent = await send_message(http, sandbox, token, openid, data)
    assert sent["errcode"] == 0 and isinstance(sent["msgid"], int)
    assert (await sb.grants(openid, TEMPLATE))["grants"] == 0
    assert (await send_message(http, sandbox, token, openid, data))["errcode"] == 43101
    messages = await sb.records("messages", openid=openid)
    assert [(m["msgid"], m["data"]) for m in messages] == [(sent["msgid"], data)]
    assert [r["errcode"] for r in await sb.records("refused_messages", openid=openid)] == [43101, 47003, 43101]
    await sb.subscribe(openid, [TEMPLATE], answer="reject")
    assert (await send_message(http, sandbox, token, openid, data))["errcode"] == 43101
    assert (await send_message(http, sandbox, "stale", openid, data))["errcode"] == 40001


async def test_fail_sends_then_recovers(sandbox, sb, http):
    token = (await stable_token(http, sandbox))["access_token"]
    openid = (await sb.login_code())["openid"]
    await sb.subscribe(openid, [TEMPLATE])
    await sb.fail_sends(45009, 2)
    data = {"thing1": {"value": "积分到账"}}
    assert (await send_message(http, sandbox, token, openid, data))["errcode"] == 45009
    assert (await send_message(http, sandbox, token, openid, data))["errcode"] == 45009
    assert (await send_message(http, sandbox, token, openid, data))["errcode"] == 0


async def test_wechatpy_sends_a_subscribe_message(sandbox, sb, http):
    token = (await stable_token(http, sandbox))["access_token"]
    openid = (await sb.login_code())["openid"]
    await sb.subscribe(openid, [TEMPLATE])
    client = WeChatClient(SANDBOX_APPID, SANDBOX_SECRET, access_token=token)
    client.API_BASE_URL = f"{sandbox.base_url}/cgi-bin/"
    client.wxa.API_BASE_URL = f"{sandbox.base_url}/"
    data = {"thing1": {"value": "积分到账"}, "character_string2": {"value": "YZ-2024-0001"}}
    result = await asyncio.to_thread(client.wxa.send_subscribe_message, openid, TEMPLATE, data, "pages/me/me")
    assert result["errcode"] == 0
    assert (await sb.records("messages", openid=openid))[0]["page"] == "pages/me/me"


@pytest.mark.parametrize(("key", "value", "ok"), [
    ("thing1", "二" * 20, True), ("thing1", "", False),
    ("number2", "12.50", True), ("number2", "1.2.3", False), ("number2", "-1", False),
    ("letter3", "abcXYZ", True), ("letter3", "abc1", False),
    ("symbol4", "%", True), ("symbol4", "%%%%%%", False),
    ("character_string5", "YZ-001_a", True), ("character_string5", "订单1", False),
    ("character_string5", "a" * 33, False),
    ("time6", "2019年10月1日 15:01", True), ("time6", "2019-10-01 15:01", True), ("time6", "15:01", True),
    ("time6", "25:01", False), ("time6", "tomorrow", False),
    ("date7", "2019年10月1日", True), ("date7", "2019-10-01", True), ("date7", "2019/10/01", False),
    ("amount8", "¥100.00", True), ("amount8", "$5", True), ("amount8", "100元", True), ("amount8", "1.234", False),
    ("amount8", "¥12345678901", False),
    ("phone_number9", "+86-0766-66888866", True), ("phone_number9", "1380013800a", False),
    ("car_number10", "粤A12345", True), ("car_number10", "粤A1234567", False),
    ("name11", "张三", True), ("name11", "张" * 11, False), ("name11", "John Smith", True), ("name11", "R2D2", False),
    ("phrase12", "已到账", True), ("phrase12", "到账了吗呀哈", False), ("phrase12", "ok", False),
    ("unknown1", "x", False),
])
def test_keyword_rules(key, value, ok):
    assert value_is_valid(key, value) is ok


# ---- WeChat Pay ----------------------------------------------------------------------------------------


async def test_wechatpayv3_pay_query_close(sandbox, keys, sb):
    out_trade_no = order_no()
    async with pay_client(sandbox, keys) as client:
        order = {"description": "92# 汽油", "out_trade_no": out_trade_no, "amount": {"total": 30000, "currency": "CNY"},
                 "payer": {"openid": "oTestPayer0000000000000000001"}}
        code, text = await client.pay(**order)
        assert code == 200, text
        prepay_id = json.loads(text)["prepay_id"]
        assert prepay_id.startswith("wx")
        code, again = await client.pay(**order)
        assert code == 200 and json.loads(again)["prepay_id"] == prepay_id
        code, text = await client.pay(**{**order, "amount": {"total": 1, "currency": "CNY"}})
        assert code == 400 and json.loads(text)["code"] == "INVALID_REQUEST"

        code, text = await client.query(out_trade_no=out_trade_no)
        assert code == 200
        view = json.loads(text)
        assert view["trade_state"] == "NOTPAY" and view["amount"]["total"] == 30000
        assert view["payer"]["openid"] == "oTestPayer0000000000000000001" and view["trade_type"] == "JSAPI"

        code, text = await client.close(out_trade_no)  # 204 with an empty, signed body
        assert code == 204
        code, text = await client.query(out_trade_no=out_trade_no)
        assert json.loads(text)["trade_state"] == "CLOSED"
        code, text = await client.pay(**order)
        assert code == 400 and json.loads(text)["code"] == "ORDER_CLOSED"

        code, text = await client.query(out_trade_no="NOSUCHORDER01")
        assert code == 404 and json.loads(text)["code"] == "ORDER_NOT_EXIST"

    with pytest.raises(SandboxError) as refused:
        await sb.pay(out_trade_no)
    assert refused.value.status == 409
    assert [c["result"] for c in await sb.records("closes", out_trade_no=out_trade_no)] == ["closed"]
    # the user paid just as we closed: WeChat Pay then reports SUCCESS after all
    assert (await sb.pay(out_trade_no, force=True, deliver=False))["delivered"] == "dropped"
    assert (await sb.transaction(out_trade_no))["trade_state"] == "SUCCESS"


async def test_a_request_signed_with_another_key_is_refused(sandbox, keys, tmp_path):
    stranger = ensure_sandbox_keys(tmp_path / "stranger")
    async with pay_client(sandbox, keys, private_key=stranger.merchant_private.read_text()) as client:
        code, text = await client.query(out_trade_no="ANYORDER0001")
    assert code == 401 and json.loads(text)["code"] == "SIGN_ERROR"


async def test_notification_is_retried_until_acknowledged(sandbox, keys, sb):
    out_trade_no = order_no()
    async with Receiver([500, 500, 200]) as receiver, pay_client(sandbox, keys, notify_url=receiver.url) as client:
        code, _ = await client.pay(description="95# 汽油", out_trade_no=out_trade_no,
                                   amount={"total": 20000, "currency": "CNY"}, payer={"openid": "oPayer1"})
        assert code == 200
        paid = await sb.pay(out_trade_no)
        assert paid["delivered"] == "scheduled" and paid["transaction_id"].startswith("4200")
        assert len(paid["transaction_id"]) == 28

        async def acknowledged():
            items = await sb.records("notifications", out_trade_no=out_trade_no)
            return items if items and items[-1]["acknowledged"] else None

        attempts = await eventually(acknowledged)
        assert [(a["attempt"], a["status"]) for a in attempts] == [(1, 500), (2, 500), (3, 200)]
        assert len(receiver.requests) == 3
        path, headers, body = receiver.requests[-1]
        assert path == "/notify" and headers["wechatpay-serial"] == SANDBOX_PUBLIC_KEY_ID
        assert abs(int(headers["wechatpay-timestamp"]) - time.time()) < 60
        data = client.callback(headers, body)
        assert data["event_type"] == "TRANSACTION.SUCCESS" and data["resource_type"] == "encrypt-resource"
        resource = data["resource"]
        assert resource["out_trade_no"] == out_trade_no and resource["trade_state"] == "SUCCESS"
        assert resource["transaction_id"] == paid["transaction_id"] and resource["amount"]["payer_total"] == 20000
        assert json.loads(receiver.requests[0][2])["id"] == json.loads(body)["id"]  # a re-send is the same notification

        code, text = await client.query(out_trade_no=out_trade_no)
        assert json.loads(text)["trade_state"] == "SUCCESS"
        code, text = await client.close(out_trade_no)
        assert code == 400 and json.loads(text)["code"] == "ORDERPAID"

        duplicate = await sb.pay(out_trade_no, force=True)
        assert duplicate["transaction_id"] == paid["transaction_id"]
        await eventually(lambda: len(receiver.requests) == 4)
        assert receiver.requests[-1][2] == body


async def test_dropped_notification_leaves_a_paid_transaction(sandbox, keys, sb):
    out_trade_no = order_no()
    async with pay_client(sandbox, keys) as client:
        await client.pay(description="加油", out_trade_no=out_trade_no, amount={"total": 100, "currency": "CNY"},
                         payer={"openid": "oPayer2"})
        assert (await sb.pay(out_trade_no, deliver=False))["delivered"] == "dropped"
        code, text = await client.query(out_trade_no=out_trade_no)
        assert json.loads(text)["trade_state"] == "SUCCESS"
    assert await sb.records("notifications", out_trade_no=out_trade_no) == []
    assert (await sb.transaction(out_trade_no))["trade_state"] == "SUCCESS"


async def test_request_payment_checks_the_pay_sign(sandbox, keys, sb):
    out_trade_no = order_no()
    async with Receiver([200]) as receiver, pay_client(sandbox, keys, notify_url=receiver.url) as client:
        code, text = await client.pay(description="加油", out_trade_no=out_trade_no,
                                      amount={"total": 5000, "currency": "CNY"}, payer={"openid": "oPayer3"})
        package = f"prepay_id={json.loads(text)['prepay_id']}"
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        params = {"timeStamp": timestamp, "nonceStr": nonce, "package": package, "signType": "RSA",
                  "paySign": client.sign([SANDBOX_APPID, timestamp, nonce, package])}
        with pytest.raises(SandboxError) as refused:
            await sb.request_payment({**params, "nonceStr": "tampered"})
        assert refused.value.status == 400 and refused.value.payload["errMsg"].startswith("requestPayment:fail")
        answer = await sb.request_payment(params)
        assert answer["errMsg"] == "requestPayment:ok" and answer["out_trade_no"] == out_trade_no
        await eventually(lambda: len(receiver.requests) == 1)
        assert client.callback(receiver.requests[0][1], receiver.requests[0][2])["resource"]["trade_state"] == "SUCCESS"


async def test_refund_succeeds_and_notifies(sandbox, keys, sb):
    out_trade_no = order_no()
    async with Receiver([200]) as receiver, pay_client(sandbox, keys, notify_url=receiver.url) as client:
        await client.pay(description="加油", out_trade_no=out_trade_no, amount={"total": 8000, "currency": "CNY"},
                         payer={"openid": "oPayer4"})
        await sb.pay(out_trade_no, deliver=False)
        code, text = await client.refund(out_refund_no="R" + out_trade_no, out_trade_no=out_trade_no,
                                         amount={"refund": 3000, "total": 8000, "currency": "CNY"})
        assert code == 200, text
        assert json.loads(text)["status"] == "PROCESSING"
        code, text = await client.refund(out_refund_no="R2" + out_trade_no, out_trade_no=out_trade_no,
                                         amount={"refund": 6000, "total": 8000, "currency": "CNY"})
        assert code == 400 and json.loads(text)["code"] == "INVALID_REQUEST"
        await eventually(lambda: len(receiver.requests) == 1)
        data = client.callback(receiver.requests[0][1], receiver.requests[0][2])
        assert data["event_type"] == "REFUND.SUCCESS"
        assert data["resource"]["refund_status"] == "SUCCESS" and data["resource"]["amount"]["refund"] == 3000
        code, text = await client.query_refund(out_refund_no="R" + out_trade_no)
        assert code == 200 and json.loads(text)["status"] == "SUCCESS"
        code, text = await client.query(out_trade_no=out_trade_no)
        assert json.loads(text)["trade_state"] == "REFUND"


async def test_v2_notification_is_signed_xml(sandbox, sb, keys):
    out_trade_no = order_no()
    reply = b"<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
    async with Receiver([200], reply=reply) as receiver, pay_client(sandbox, keys) as client:
        await client.pay(description="加油", out_trade_no=out_trade_no, amount={"total": 700, "currency": "CNY"},
                         payer={"openid": "oPayer5"})
        await sb.pay(out_trade_no, protocol="v2", sign_type="HMAC-SHA256", notify_url=receiver.url)

        async def acknowledged():
            items = await sb.records("notifications", out_trade_no=out_trade_no)
            return items and items[-1]["acknowledged"]

        await eventually(acknowledged)
    params = dict(xmltodict.parse(receiver.requests[0][2])["xml"])
    sign = params.pop("sign")
    assert params["sign_type"] == "HMAC-SHA256" and params["total_fee"] == "700"
    assert sign == calculate_signature_hmac(params, V2_KEY) == wp.v2_sign(params, V2_KEY, "HMAC-SHA256")
    assert len(params["time_end"]) == 14 and params["out_trade_no"] == out_trade_no


def test_helpers_build_what_wechatpayv3_accepts(keys):
    body = wp.build_transaction_notification(apiv3_key=SANDBOX_APIV3_KEY, appid=SANDBOX_APPID, mchid=SANDBOX_MCHID,
                                             out_trade_no="HELPER000001", total=1234, openid="oHelper")
    headers = wp.notification_headers(keys.platform_private.read_bytes(), SANDBOX_PUBLIC_KEY_ID, body)
    client = AsyncWeChatPay(
        wechatpay_type=WeChatPayType.MINIPROG, mchid=SANDBOX_MCHID, private_key=keys.merchant_private.read_text(),
        cert_serial_no=SANDBOX_CERT_SERIAL, appid=SANDBOX_APPID, apiv3_key=SANDBOX_APIV3_KEY,
        public_key=keys.platform_public.read_text(), public_key_id=SANDBOX_PUBLIC_KEY_ID,
    )
    resource = client.callback(headers, body)["resource"]
    assert resource["amount"]["total"] == 1234 and resource["transaction_id"].startswith("4200")


def test_sync_client(sandbox):
    with SyncSandboxClient(sandbox.base_url) as client:
        client.wait_ready()
        minted = client.login_code(openid="oSyncUser")
        assert minted["openid"] == "oSyncUser" and minted["code"]
        with pytest.raises(SandboxError) as refused:
            client.records("nonsense")
        assert refused.value.status == 400
