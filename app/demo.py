"""`python -m app.demo`: one driver's journey against a running `scripts/run`, narrated.

It plays the mini-program's part: wx.login through the sandbox, log in, allow the "points credited"
message, order 300 yuan of 92# at pump 1, pay (the sandbox plays WeChat Pay and notifies the app),
then read the order, the member and the points history, and the message WeChat "delivered".
"""

from __future__ import annotations

import argparse
import os
import time

import httpx

from app.sandbox.client import SyncSandboxClient
from app.settings import DEFAULT_TEMPLATE_POINTS_CREDITED


def yuan(fen: int) -> str:
    return f"{fen / 100:.2f}"


def main() -> None:
    """Walk the journey and print each step."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api", default=f"http://127.0.0.1:{os.environ.get('PORT', '8000')}")
    parser.add_argument("--sandbox", default=f"http://127.0.0.1:{os.environ.get('SANDBOX_PORT', '8001')}")
    parser.add_argument("--amount-fen", type=int, default=30000)
    args = parser.parse_args()
    api = httpx.Client(base_url=args.api, timeout=15)
    sandbox = SyncSandboxClient(args.sandbox)

    minted = sandbox.login_code()
    login = api.post("/api/auth/login", json={"code": minted["code"]}).json()
    headers = {"Authorization": f"Bearer {login['access_token']}"}
    print(f"1. wx.login -> code -> POST /api/auth/login: openid {minted['openid']}, member: {login['member']}")

    grants = sandbox.subscribe(minted["openid"], [DEFAULT_TEMPLATE_POINTS_CREDITED])["grants"]
    api.post("/api/me/subscriptions", headers=headers, json={"grants": grants})
    print(f"2. wx.requestSubscribeMessage -> {grants} -> POST /api/me/subscriptions")

    station = api.get("/api/stations").json()["items"][0]
    created = api.post("/api/orders", headers=headers, json={
        "station_id": station["id"], "pump_no": 1, "grade": "92#", "amount_fen": args.amount_fen,
    })
    created.raise_for_status()
    order, payment = created.json()["order"], created.json()["payment"]
    print(f"3. POST /api/orders at {station['name']}, pump 1, 92#: {order['out_trade_no']}, "
          f"{yuan(order['amount_fen'])} 元 = {order['litres']} L at {yuan(order['price_fen_per_litre'])} 元/L")

    paid = sandbox.request_payment(payment)
    print(f"4. wx.requestPayment -> {paid['errMsg']}; WeChat Pay (the sandbox) sends the signed notification")

    for _ in range(50):
        order = api.get(f"/api/orders/{order['out_trade_no']}", headers=headers).json()["order"]
        if order["status"] == "paid":
            break
        time.sleep(0.2)
    print(f"5. GET /api/orders/{order['out_trade_no']}: {order['status']}, {order['points_earned']} points earned")

    member = api.get("/api/me", headers=headers).json()["member"]
    print(f"6. GET /api/me: member #{member['id']}, joined via {member['joined_via']}, "
          f"balance {member['points_balance']} points")
    for item in api.get("/api/me/points", headers=headers).json()["items"]:
        print(f"   {item['created_at'][:19]}  {item['delta']:+d}  {item['reason']}  (balance {item['balance_after']})")

    for _ in range(30):
        messages = sandbox.records("messages", openid=minted["openid"])
        if messages:
            values = {k: v["value"] for k, v in messages[0]["data"].items()}
            print(f"7. the worker sent the subscribe message through WeChat (the sandbox): {values}")
            break
        time.sleep(0.2)
    else:
        print("7. no subscribe message yet: is the worker running?")


if __name__ == "__main__":
    main()
