"""The spine, end to end through HTTP: log in -> order -> pay -> notification -> member -> points -> message."""

from app.models import LedgerEntry, Order, OutboxMessage
from app.settings import DEFAULT_TEMPLATE_POINTS_CREDITED as TEMPLATE
from tests.helpers import grant_points_message, login, me, place_order, wait_paid, wait_until


async def test_a_new_driver_pays_becomes_a_member_and_sees_the_points(api, sandbox, db):
    driver = await login(api, sandbox)
    assert driver.member is None  # a guest until they pay
    assert await me(api, driver) is None
    await grant_points_message(api, sandbox, driver)

    order, payment = await place_order(api, driver, amount_fen=30000)
    assert order["status"] == "created" and order["amount_fen"] == 30000
    assert set(payment) == {"timeStamp", "nonceStr", "package", "signType", "paySign"}
    paid = await sandbox.request_payment(payment)
    assert paid["errMsg"] == "requestPayment:ok"

    async def notified():
        items = await sandbox.records("notifications", out_trade_no=order["out_trade_no"])
        return [i for i in items if i["acknowledged"]]

    assert (await wait_until(notified))[0]["status"] == 204
    settled = await wait_paid(api, driver, order["out_trade_no"])
    assert settled["points_earned"] == 300

    member = await me(api, driver)
    assert member["joined_via"] == "payment"
    assert member["points_balance"] == 300

    history = (await api.get("/api/me/points", headers=driver.headers)).json()
    assert [(i["delta"], i["kind"]) for i in history["items"]] == [(300, "earn")]
    assert "加油" in history["items"][0]["reason"]

    async def delivered():
        return await sandbox.records("messages", openid=driver.openid)

    messages = await wait_until(delivered)
    assert len(messages) == 1
    assert messages[0]["template_id"] == TEMPLATE
    assert messages[0]["data"]["number3"]["value"] == "300"
    assert messages[0]["data"]["amount2"]["value"] == "300.00元"
    outbox = await OutboxMessage.get(dedupe_key=f"order:{order['out_trade_no']}:points_credited")
    assert outbox.status == "sent"
    assert await LedgerEntry.filter(source_id=order["out_trade_no"]).count() == 1
    assert (await Order.get(out_trade_no=order["out_trade_no"])).paid_via == "notify"


async def test_a_member_who_pays_again_keeps_one_membership_and_adds_points(api, sandbox):
    driver = await login(api, sandbox)
    for amount in (20000, 15050):
        order, payment = await place_order(api, driver, amount_fen=amount)
        await sandbox.request_payment(payment)
        await wait_paid(api, driver, order["out_trade_no"])
    member = await me(api, driver)
    assert member["points_balance"] == 200 + 150
    history = (await api.get("/api/me/points", headers=driver.headers)).json()
    assert [i["balance_after"] for i in history["items"]] == [350, 200]


async def test_paying_by_litres_prices_the_litres_at_the_station_price(api, sandbox):
    driver = await login(api, sandbox)
    stations = (await api.get("/api/stations")).json()["items"]
    price = next(g["price_fen_per_litre"] for g in stations[0]["grades"] if g["grade"] == "95#")
    order, _ = await place_order(api, driver, amount_fen=None, litres=30.0, grade="95#")
    assert order["amount_fen"] == 30 * price
    assert order["litres"] == "30.00"


async def test_without_a_grant_no_message_is_sent_and_the_outbox_says_why(api, sandbox, db):
    driver = await login(api, sandbox)
    order, payment = await place_order(api, driver, amount_fen=10000)
    await sandbox.request_payment(payment)
    await wait_paid(api, driver, order["out_trade_no"])
    outbox = await OutboxMessage.get(dedupe_key=f"order:{order['out_trade_no']}:points_credited")
    assert outbox.status == "skipped"
    assert "no subscribe grant" in outbox.last_error
    assert await sandbox.records("messages", openid=driver.openid) == []
