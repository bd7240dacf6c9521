"""Subscribe messages leave through the outbox after commit: retried with backoff, dead-lettered after the last
attempt, not retried when WeChat says the driver has no grant, and sent again after a stale access token."""

from app.models import OutboxMessage, SubscribeGrant
from tests.helpers import grant_points_message, login, place_order, wait_paid, wait_until


async def _pay_and_get_message(api, sandbox, driver, amount_fen=10000) -> str:
    order, payment = await place_order(api, driver, amount_fen=amount_fen)
    await sandbox.request_payment(payment)
    await wait_paid(api, driver, order["out_trade_no"])
    return f"order:{order['out_trade_no']}:points_credited"


async def _final(key: str, *states: str) -> OutboxMessage:
    async def settled():
        message = await OutboxMessage.get(dedupe_key=key)
        return message if message.status in states else None

    return await wait_until(settled)


async def test_a_message_wechat_refuses_for_a_while_is_retried_until_sent(api, sandbox, db):
    driver = await login(api, sandbox)
    await grant_points_message(api, sandbox, driver)
    await sandbox.fail_sends(45009, 2)  # WeChat's rate limit, twice
    key = await _pay_and_get_message(api, sandbox, driver)
    message = await _final(key, "sent", "dead")
    assert message.status == "sent"
    assert message.attempts == 3
    assert len(await sandbox.records("messages", openid=driver.openid)) == 1


async def test_a_message_that_keeps_failing_is_dead_lettered_after_the_last_attempt(api, sandbox, db):
    driver = await login(api, sandbox)
    await grant_points_message(api, sandbox, driver)
    await sandbox.fail_sends(-1, 4)  # "system busy" on every one of the 4 attempts the test stack allows
    key = await _pay_and_get_message(api, sandbox, driver)
    message = await _final(key, "sent", "dead")
    assert message.status == "dead"
    assert message.attempts == 4
    assert "errcode -1" in message.last_error
    assert await sandbox.records("messages", openid=driver.openid) == []
    # nothing was sent, so WeChat did not spend the driver's grant, and neither do we
    assert await SubscribeGrant.get(openid=driver.openid).values_list("available", flat=True) == 1


async def test_a_driver_without_a_grant_at_wechat_is_not_retried(api, sandbox, db):
    driver = await login(api, sandbox)
    # the mini-program reports an acceptance WeChat does not know of (the driver revoked it since)
    response = await api.post("/api/me/subscriptions", headers=driver.headers,
                              json={"grants": {"TPL_POINTS_CREDITED_SANDBOX": "accept"}})
    assert response.json()["available"]["TPL_POINTS_CREDITED_SANDBOX"] == 1
    key = await _pay_and_get_message(api, sandbox, driver)
    message = await _final(key, "sent", "dead")
    assert (message.status, message.attempts) == ("dead", 1)
    assert "43101" in message.last_error
    assert await SubscribeGrant.get(openid=driver.openid).values_list("available", flat=True) == 0


async def test_a_stale_access_token_is_refreshed_and_the_message_sent(api, sandbox, db):
    driver = await login(api, sandbox)
    await grant_points_message(api, sandbox, driver)
    await sandbox.expire_tokens()
    key = await _pay_and_get_message(api, sandbox, driver)
    message = await _final(key, "sent", "dead")
    assert message.status == "sent"
    assert len(await sandbox.records("messages", openid=driver.openid)) == 1


async def test_one_acceptance_allows_one_message(api, sandbox, db):
    driver = await login(api, sandbox)
    await grant_points_message(api, sandbox, driver)
    first = await _pay_and_get_message(api, sandbox, driver)
    second = await _pay_and_get_message(api, sandbox, driver)
    assert (await _final(first, "sent", "dead")).status == "sent"
    assert (await OutboxMessage.get(dedupe_key=second)).status == "skipped"
    me = await api.post("/api/me/subscriptions", headers=driver.headers, json={"grants": {}})
    assert me.status_code == 200
