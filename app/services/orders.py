"""Orders: creating one with its prepay, settling a payment exactly once, and the lost-notification paths."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app.errors import Conflict, NotFound, UpstreamUnavailable, ValidationFailed
from app.models import Order, Station
from app.services import ledger, members, outbox, rules, stations
from app.services.ports import PaymentPort

log = logging.getLogger("youzhan.orders")

CREATED, PAID, REFUNDED, CLOSED = "created", "paid", "refunded", "closed"
MIN_ORDER_FEN = 100


@dataclass(frozen=True)
class OrderPolicy:
    """The settings that shape orders and their earning."""

    max_order_fen: int
    close_after_s: int
    query_after_s: int
    points_expiry_months: int
    template_points_credited: str
    outbox_max_attempts: int


class PaymentMismatch(Exception):
    """A verified payment statement that does not match our order: amount, merchant or app differ."""


def new_out_trade_no(now: datetime) -> str:
    """YZ + Shanghai time to the second + 10 random digits: sortable, unguessable, within WeChat's 32."""
    local = now.astimezone(rules.BUSINESS_TZ)
    return "YZ" + local.strftime("%Y%m%d%H%M%S") + f"{secrets.randbelow(10**10):010d}"


def quote(*, price_fen_per_litre: int, amount_fen: int | None, litres: Decimal | None, max_order_fen: int
          ) -> tuple[int, int]:
    """(amount_fen, litres_milli) from either an amount or litres at a price; refuses zero and absurd amounts."""
    if litres is not None and amount_fen is None:
        litres_milli = int((litres * 1000).to_integral_value(ROUND_HALF_UP))
        amount_fen = int((Decimal(litres_milli) * price_fen_per_litre / 1000).to_integral_value(ROUND_HALF_UP))
        field = "litres"
    elif amount_fen is not None and litres is None:
        litres_milli = int((Decimal(amount_fen) * 1000 / price_fen_per_litre).to_integral_value(ROUND_HALF_UP))
        field = "amount_fen"
    else:
        raise ValidationFailed("Give either amount_fen or litres.", field="amount_fen", code="order.amount_or_litres")
    if amount_fen < MIN_ORDER_FEN or amount_fen > max_order_fen:
        raise ValidationFailed(
            f"The amount must be between {MIN_ORDER_FEN / 100:.2f} and {max_order_fen / 100:.2f} yuan.",
            field=field, code="order.amount_out_of_range",
        )
    return amount_fen, litres_milli


def order_view(order: Order, station_name: str | None = None) -> dict:
    """What the driver sees of an order."""
    return {
        "out_trade_no": order.out_trade_no,
        "status": order.status,
        "station_id": order.station_id,
        "station_name": station_name,
        "pump_no": order.pump_no,
        "grade": order.grade,
        "price_fen_per_litre": order.price_fen_per_litre,
        "litres": f"{Decimal(order.litres_milli) / 1000:.2f}",
        "amount_fen": order.amount_fen,
        "discount_fen": order.discount_fen,
        "payable_fen": order.payable_fen,
        "points_used": order.points_used,
        "points_earned": order.points_earned,
        "created_at": order.created_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
    }


async def create_order(*, openid: str, station_id: int, pump_no: int, grade: str, amount_fen: int | None,
                       litres: Decimal | None, request_id: str | None, pay: PaymentPort, policy: OrderPolicy
                       ) -> tuple[dict, dict]:
    """Our order, then WeChat Pay's prepay (after commit, never inside a transaction) -> wx.requestPayment params.

    A retry with the same request_id (a lost answer, a double tap) gets the same order, never a second one.
    """
    station, price = await stations.price_for(station_id=station_id, pump_no=pump_no, grade=grade)
    amount, litres_milli = quote(price_fen_per_litre=price.price_fen_per_litre, amount_fen=amount_fen, litres=litres,
                                 max_order_fen=policy.max_order_fen)
    now = datetime.now(UTC)
    member = await members.get_by_openid(openid)
    fields = dict(station_id=station.id, pump_no=pump_no, grade=grade, amount_fen=amount)
    order = await Order.get_or_none(openid=openid, request_id=request_id) if request_id else None
    if order is None:
        try:
            order = await Order.create(
                out_trade_no=new_out_trade_no(now), openid=openid, request_id=request_id,
                member_id=member.id if member else None, category=price.category,
                price_fen_per_litre=price.price_fen_per_litre, litres_milli=litres_milli, payable_fen=amount,
                status=CREATED, **fields,
            )
        except IntegrityError:  # the same request_id raced in from a retry
            order = await Order.get(openid=openid, request_id=request_id)
    if any(getattr(order, name) != value for name, value in fields.items()):
        raise Conflict("This request_id was used for another order.", field="request_id", code="order.request_id_reused")
    if order.status != CREATED:
        raise Conflict("This order is already paid or closed.", code="order.not_payable")
    prepay_id = order.prepay_id
    if prepay_id is None:
        description = f"{station.name} {pump_no}号枪 {grade} {Decimal(order.litres_milli) / 1000:.2f}升"
        # WeChat Pay answers the same prepay_id for the same out_trade_no and content
        prepay_id = await pay.prepay(
            out_trade_no=order.out_trade_no, description=description, total_fen=order.payable_fen, openid=openid,
            time_expire=order.created_at + timedelta(seconds=policy.close_after_s),
        )
        await Order.filter(id=order.id).update(prepay_id=prepay_id)
    return order_view(order, station.name), pay.jsapi_params(prepay_id)


async def list_orders_for_driver(*, openid: str, cursor: int | None, limit: int) -> dict:
    """The driver's orders, newest first."""
    query = Order.filter(openid=openid)
    if cursor is not None:
        query = query.filter(id__lt=cursor)
    orders = await query.order_by("-id").limit(limit + 1)
    names = dict(await Station.filter(id__in={o.station_id for o in orders}).values_list("id", "name"))
    return {
        "items": [order_view(o, names.get(o.station_id)) for o in orders[:limit]],
        "next": str(orders[limit - 1].id) if len(orders) > limit else None,
    }


@dataclass(frozen=True)
class Settlement:
    """The outcome of settling one payment statement."""

    out_trade_no: str
    credited: bool
    points: int
    member_created: bool


async def settle_payment(*, paid, policy: OrderPolicy, mchid: str, appid: str, via: str) -> Settlement:
    """Mark the order paid, make the payer a member, credit points, queue the message: one transaction, once.

    `paid` is a verified PaidTransaction. Duplicates (any order, any process) return credited=False and
    change nothing: the conditional status update lets one transaction through, and the ledger's unique
    idempotency key backs it.
    """
    order = await Order.filter(out_trade_no=paid.out_trade_no).select_related("station").first()
    if order is None:
        raise NotFound("unknown order", code="order.not_found")
    if paid.total_fen != order.payable_fen:
        raise PaymentMismatch(f"amount {paid.total_fen} != {order.payable_fen}")
    if (paid.mchid and paid.mchid != mchid) or (paid.appid and paid.appid != appid):
        raise PaymentMismatch("merchant or app differs")
    if paid.openid and paid.openid != order.openid:
        raise PaymentMismatch("payer differs")
    if order.status in (PAID, REFUNDED):
        return Settlement(order.out_trade_no, credited=False, points=order.points_earned, member_created=False)
    paid_at = paid.success_time or datetime.now(UTC)
    station = order.station
    earning = rules.points_for_payment(payable_fen=order.payable_fen, grade=order.grade)
    async with in_transaction():
        # joining is idempotent, so it may come before the one update that decides who settles;
        # it also locks the member, in the same order (member, then order) in every settlement
        member, created = await members.join_and_lock(
            openid=order.openid, unionid=None, joined_via=members.JOINED_VIA_PAYMENT
        )
        # a closed order is still settled: WeChat took the driver's money
        moved = await Order.filter(id=order.id, status__in=[CREATED, CLOSED]).update(
            status=PAID, transaction_id=paid.transaction_id, paid_at=paid_at, paid_via=via, member_id=member.id,
            points_earned=earning.points,
        )
        if moved != 1:
            return Settlement(order.out_trade_no, credited=False, points=order.points_earned, member_created=False)
        balance = member.points_balance
        if earning.points > 0:
            posting = await ledger.credit(
                member_id=member.id, points=earning.points, kind=ledger.EARN,
                cause=ledger.Cause(
                    source_type="order", source_id=order.out_trade_no, key=f"order:{order.out_trade_no}:earn",
                    reason=f"加油消费 {station.name} {order.grade}", explanation=earning.explanation,
                ),
                expires_at=rules.expiry_for(paid_at, policy.points_expiry_months), locked=member,
            )
            balance = posting.entry.balance_after
        await outbox.enqueue_subscribe_message(
            openid=order.openid, template="points_credited", template_id=policy.template_points_credited,
            values={
                "out_trade_no": order.out_trade_no, "paid_fen": order.payable_fen, "points": earning.points,
                "balance": balance, "station_name": station.name, "paid_at": paid_at.isoformat(),
            },
            dedupe_key=f"order:{order.out_trade_no}:points_credited", max_attempts=policy.outbox_max_attempts,
        )
    log.info("order %s paid via %s: %s points", order.out_trade_no, via, earning.points)
    return Settlement(order.out_trade_no, credited=True, points=earning.points, member_created=created)


async def get_order_for_driver(*, openid: str, out_trade_no: str, pay: PaymentPort, policy: OrderPolicy,
                               mchid: str, appid: str) -> dict:
    """The driver's order; one still unpaid is looked up at WeChat Pay, in case its notification was lost."""
    order = await Order.get_or_none(out_trade_no=out_trade_no, openid=openid) if len(out_trade_no) <= 32 else None
    if order is None:
        raise NotFound("No such order.", code="order.not_found")
    if order.status == CREATED:
        await _settle_from_query(order, pay=pay, policy=policy, mchid=mchid, appid=appid)
        order = await Order.get(id=order.id)
    station = await Station.get(id=order.station_id)
    return order_view(order, station.name)


async def _settle_from_query(order: Order, *, pay: PaymentPort, policy: OrderPolicy, mchid: str, appid: str
                             ) -> dict | None:
    now = datetime.now(UTC)
    # at most one query a second per order, however often the result page polls
    claimed = await Order.filter(
        Q(last_queried_at__isnull=True) | Q(last_queried_at__lt=now - timedelta(seconds=1)), id=order.id, status=CREATED
    ).update(last_queried_at=now)
    if not claimed:
        return None
    try:
        data = await pay.query(order.out_trade_no)
    except UpstreamUnavailable:
        return None
    if data is None:
        return None
    paid = pay.paid_from_query(data)
    if paid is not None:
        try:
            await settle_payment(paid=paid, policy=policy, mchid=mchid, appid=appid, via="query")
        except PaymentMismatch as exc:
            log.error("order %s: WeChat Pay's query disagrees with our order: %s", order.out_trade_no, exc)
    return data


@dataclass
class ReconcileReport:
    """What one reconciliation pass did."""

    queried: int = 0
    settled: int = 0
    closed: int = 0


async def reconcile_unpaid(*, pay: PaymentPort, policy: OrderPolicy, mchid: str, appid: str, batch: int = 100
                           ) -> ReconcileReport:
    """Worker job: query orders unpaid for a while, settle those WeChat Pay says are paid, close the expired."""
    now = datetime.now(UTC)
    report = ReconcileReport()
    due = await Order.filter(
        Q(last_queried_at__isnull=True) | Q(last_queried_at__lte=now - timedelta(seconds=60)),
        status=CREATED, created_at__lte=now - timedelta(seconds=policy.query_after_s),
    ).order_by("id").limit(batch)
    for order in due:
        report.queried += 1
        data = await _settle_from_query(order, pay=pay, policy=policy, mchid=mchid, appid=appid)
        fresh = await Order.get(id=order.id)
        if fresh.status == PAID:
            report.settled += 1
            continue
        expired = fresh.created_at <= now - timedelta(seconds=policy.close_after_s)
        if fresh.status == CREATED and (expired or (data or {}).get("trade_state") == "CLOSED"):
            if await close_order(order=fresh, pay=pay, policy=policy, mchid=mchid, appid=appid):
                report.closed += 1
    return report


async def close_order(*, order: Order, pay: PaymentPort, policy: OrderPolicy, mchid: str, appid: str) -> bool:
    """Close at WeChat Pay first, then here; an order paid meanwhile is settled instead."""
    try:
        await pay.close_order(order.out_trade_no)
    except Conflict:
        data = await pay.query(order.out_trade_no)
        paid = pay.paid_from_query(data) if data else None
        if paid is not None:
            await settle_payment(paid=paid, policy=policy, mchid=mchid, appid=appid, via="query")
        return False
    except UpstreamUnavailable:
        return False
    closed = await Order.filter(id=order.id, status=CREATED).update(status=CLOSED, closed_at=datetime.now(UTC))
    return closed == 1


async def settle_refund(*, refund: dict) -> bool:
    """A verified REFUND.SUCCESS: mark the order refunded and reverse the points it earned, once per refund.

    Points the member already spent are not clawed back into a negative balance: the reversal takes what
    the balance holds and records the shortfall in its explanation.
    """
    if refund.get("refund_status") != "SUCCESS":
        return False
    order = await Order.get_or_none(out_trade_no=refund.get("out_trade_no"))
    if order is None:
        raise NotFound("unknown order", code="order.not_found")
    if order.status in (CREATED, CLOSED):
        # we have not settled the payment yet (its notification is late): WeChat Pay will send this again
        raise Conflict("The payment of this order is not settled yet.", code="order.not_settled")
    refund_fen = int((refund.get("amount") or {}).get("refund", 0))
    out_refund_no = str(refund.get("out_refund_no"))
    async with in_transaction():
        # the member's row first, then the order's, as settle_payment locks them: no deadlock between the two
        member = await ledger.lock_member(order.member_id) if order.member_id else None
        moved = await Order.filter(id=order.id, status=PAID).update(status=REFUNDED, refunded_at=datetime.now(UTC))
        if moved != 1 or member is None or order.points_earned <= 0:
            return moved == 1
        due = order.points_earned * min(refund_fen, order.payable_fen) // order.payable_fen
        take = min(due, member.points_balance)
        if take > 0:
            await ledger.debit(
                member_id=member.id, points=take, kind=ledger.REVERSE,
                cause=ledger.Cause(
                    source_type="refund", source_id=out_refund_no, key=f"refund:{out_refund_no}:reverse",
                    reason="退款冲回积分", explanation={"due": due, "taken": take, "shortfall": due - take},
                ),
                locked=member,
            )
    return True

