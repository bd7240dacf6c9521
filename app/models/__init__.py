"""The tables (tortoise-orm); one module per concept, all listed here for tortoise's model discovery."""

from app.models.auth import RefreshToken, WechatIdentity
from app.models.ledger import LedgerEntry, PointLot
from app.models.members import Member
from app.models.orders import Order
from app.models.outbox import OutboxMessage
from app.models.stations import Pump, Station, StationGrade
from app.models.subscriptions import SubscribeGrant

__models__ = [
    WechatIdentity,
    RefreshToken,
    Member,
    LedgerEntry,
    PointLot,
    Order,
    OutboxMessage,
    Station,
    Pump,
    StationGrade,
    SubscribeGrant,
]
