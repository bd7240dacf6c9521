"""WeChat Pay notifications settle exactly once, however often, however ordered, on however many processes;
lost notifications are recovered by querying WeChat Pay; unpaid orders close; refunds reverse points."""

import asyncio
import dataclasses
import subprocess
import sys

import httpx
import pytest

from app import devstack
from app.models import LedgerEntry, Member, Order
from app.sandbox.process import free_port
from app.sandbox.wechatpay import build_refund_notification, build_transaction_notification, notification_headers
from app.settings import PROJECT_ROOT, SANDBOX_APIV3_KEY, SANDBOX_APPID, SANDBOX_MCHID, SANDBOX_PUBLIC_KEY_ID
from app.worker import Worker
from tests.helpers import login, me, place_order, wait_paid, wait_until


def signed_notification(stack, *, out_trade_no: str, total: int, openid: str, transaction_id: str | None = None
                        ) -> tuple[str, dict]:
    """A v3 TRANSACTION.SUCCESS notification as WeChat Pay sends it (WeChat re-sends the same body)."""
    body = build_transaction_notification(apiv3_key=SANDBOX_APIV3_KEY, appid=SANDBOX_APPID, mchid=SANDBOX_MCHID,
                                          out_trade_no=out_trade_no, total=total, openid=openid,
                                          transaction_id=transaction_id)
    return body, notification_headers(stack.platform_private_key, SANDBOX_PUBLIC_KEY_ID, body)


async def test_duplicate_payment_notification_credits_once(api, sandbox, stack, db):
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=25000)
    body, headers = signed_notification(stack, out_trade_no=order["out_trade_no"], total=25000, openid=driver.openid)
    answers = [await api.post("/api/wechat/pay/notify", content=body, headers=headers) for _ in range(3)]
    assert [a.status_code for a in answers] == [204, 204, 204]
    assert (await me(api, driver))["points_balance"] == 250
    assert await LedgerEntry.filter(source_id=order["out_trade_no"]).count() == 1


async def test_twenty_concurrent_copies_of_a_notification_credit_once(api, sandbox, stack, db):
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=41000)
    body, headers = signed_notification(stack, out_trade_no=order["out_trade_no"], total=41000, openid=driver.openid)
    answers = await asyncio.gather(*[api.post("/api/wechat/pay/notify", content=body, headers=headers)
                                     for _ in range(20)])
    assert {a.status_code for a in answers} == {204}
    member = await Member.get(openid=driver.openid)
    assert member.points_balance == 410
    assert await LedgerEntry.filter(member_id=member.id).count() == 1


@pytest.fixture(scope="module")
def second_web_process(stack):
    """Another `python -m app` on the same PostgreSQL and Redis, as behind a load balancer."""
    port = free_port()
    log = (stack.workdir / "logs" / "web2.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "app"], env={**stack.env, "PORT": str(port)}, cwd=PROJECT_ROOT,
                               stdout=log, stderr=subprocess.STDOUT)
    try:
        devstack.wait_http(f"http://127.0.0.1:{port}/api/health", process, "second web process")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.postgres
async def test_concurrent_copies_racing_on_two_app_processes_credit_once(api, sandbox, stack, db, second_web_process):
    driver = await login(api, sandbox)
    orders = [(await place_order(api, driver, amount_fen=10000 + i * 100))[0] for i in range(3)]
    async with httpx.AsyncClient(base_url=second_web_process, timeout=30) as other:
        for order in orders:
            body, headers = signed_notification(stack, out_trade_no=order["out_trade_no"], total=order["amount_fen"],
                                                openid=driver.openid)
            clients = [api, other] * 10
            answers = await asyncio.gather(*[c.post("/api/wechat/pay/notify", content=body, headers=headers)
                                             for c in clients])
            assert {a.status_code for a in answers} == {204}
    member = await Member.get(openid=driver.openid)
    assert member.points_balance == 100 + 101 + 102
    assert await LedgerEntry.filter(member_id=member.id).count() == 3
    assert await Member.filter(openid=driver.openid).count() == 1


async def test_notifications_for_different_orders_of_a_new_driver_arriving_together_make_one_member(
        api, sandbox, stack, db):
    driver = await login(api, sandbox)
    orders = [(await place_order(api, driver, amount_fen=5000))[0] for _ in range(5)]
    signed = [signed_notification(stack, out_trade_no=o["out_trade_no"], total=5000, openid=driver.openid)
              for o in orders]
    answers = await asyncio.gather(*[api.post("/api/wechat/pay/notify", content=b, headers=h) for b, h in signed])
    # a loser of the race to create the member may be told to come again; WeChat Pay re-sends until 2xx
    for (body, headers), answer in zip(signed, answers, strict=True):
        if answer.status_code != 204:
            retry = await api.post("/api/wechat/pay/notify", content=body, headers=headers)
            assert retry.status_code == 204
    assert await Member.filter(openid=driver.openid).count() == 1
    assert (await me(api, driver))["points_balance"] == 250


async def test_a_lost_notification_is_settled_when_the_result_page_asks(api, sandbox, db):
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=18800)
    dropped = await sandbox.pay(order["out_trade_no"], deliver=False)
    assert dropped["delivered"] == "dropped"
    settled = await wait_paid(api, driver, order["out_trade_no"])
    assert settled["points_earned"] == 188
    stored = await Order.get(out_trade_no=order["out_trade_no"])
    assert stored.paid_via == "query"
    assert stored.transaction_id == dropped["transaction_id"]
    # the notification turns up after all: a duplicate, answered with success, changing nothing
    await sandbox.pay(order["out_trade_no"], force=True)

    async def acknowledged():
        items = await sandbox.records("notifications", out_trade_no=order["out_trade_no"])
        return [i for i in items if i["acknowledged"]]

    await wait_until(acknowledged)
    assert (await me(api, driver))["points_balance"] == 188
    assert await LedgerEntry.filter(source_id=order["out_trade_no"]).count() == 1


async def _worker(stack, **overrides) -> Worker:
    from app.cache import create_cache
    from app.wechat import WechatGateway

    settings = dataclasses.replace(stack.settings(), **overrides)
    gateway = WechatGateway(settings, create_cache(settings.redis_url))
    await gateway.start()
    return Worker(settings=settings, wechat=gateway)


async def test_the_worker_settles_orders_whose_notification_never_came(api, sandbox, stack, db):
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=9900)
    await sandbox.pay(order["out_trade_no"], deliver=False)
    worker = await _worker(stack, order_query_after_s=0)
    try:
        report = await worker.reconcile_orders()
    finally:
        await worker.wechat.close()
    assert report.settled >= 1
    stored = await Order.get(out_trade_no=order["out_trade_no"])
    assert (stored.status, stored.paid_via, stored.points_earned) == ("paid", "query", 99)


async def test_unpaid_orders_close_and_a_payment_wechat_reports_afterwards_is_still_honoured(api, sandbox, stack, db):
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=12000)
    worker = await _worker(stack, order_query_after_s=0, order_close_after_s=0)
    try:
        await worker.reconcile_orders()
    finally:
        await worker.wechat.close()
    assert (await Order.get(out_trade_no=order["out_trade_no"])).status == "closed"
    assert (await sandbox.transaction(order["out_trade_no"]))["trade_state"] == "CLOSED"
    # the driver's money was taken just as we closed: WeChat Pay notifies, and we honour it
    await sandbox.pay(order["out_trade_no"], force=True)
    settled = await wait_paid(api, driver, order["out_trade_no"])
    assert settled["points_earned"] == 120
    assert (await me(api, driver))["points_balance"] == 120


async def test_a_refund_reverses_the_points_of_the_order_once(api, sandbox, stack, db):
    driver = await login(api, sandbox)
    order, payment = await place_order(api, driver, amount_fen=20000)
    paid = await sandbox.request_payment(payment)
    await wait_paid(api, driver, order["out_trade_no"])
    body = build_refund_notification(apiv3_key=SANDBOX_APIV3_KEY, mchid=SANDBOX_MCHID,
                                     out_trade_no=order["out_trade_no"], transaction_id=paid["transaction_id"],
                                     out_refund_no=f"R{order['out_trade_no'][2:]}", refund_id="50300000000001",
                                     total=20000, refund=20000)
    headers = notification_headers(stack.platform_private_key, SANDBOX_PUBLIC_KEY_ID, body)
    for _ in range(2):
        answer = await api.post("/api/wechat/refund/notify", content=body, headers=headers)
        assert answer.status_code == 204
    assert (await me(api, driver))["points_balance"] == 0
    got = (await api.get(f"/api/orders/{order['out_trade_no']}", headers=driver.headers)).json()["order"]
    assert got["status"] == "refunded"
    kinds = [i["kind"] for i in (await api.get("/api/me/points", headers=driver.headers)).json()["items"]]
    assert kinds == ["reverse", "earn"]


async def test_a_refund_notification_for_a_payment_not_yet_settled_is_refused_so_wechat_sends_it_again(
        api, sandbox, stack, db):
    driver = await login(api, sandbox)
    order, _ = await place_order(api, driver, amount_fen=10000)
    body = build_refund_notification(apiv3_key=SANDBOX_APIV3_KEY, mchid=SANDBOX_MCHID,
                                     out_trade_no=order["out_trade_no"], transaction_id="4200000000000000000000000001",
                                     out_refund_no=f"R{order['out_trade_no'][2:]}", refund_id="50300000000002",
                                     total=10000, refund=10000)
    headers = notification_headers(stack.platform_private_key, SANDBOX_PUBLIC_KEY_ID, body)
    answer = await api.post("/api/wechat/refund/notify", content=body, headers=headers)
    assert answer.status_code == 409 and answer.json()["code"] == "FAIL"
    assert (await Order.get(out_trade_no=order["out_trade_no"])).status == "created"
