"""Stations, pumps and prices; the demo chain that scripts/run and scripts/seed-demo load."""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from app.errors import NotFound, ValidationFailed
from app.models import Pump, Station, StationGrade

GRADES = ("92#", "95#", "98#", "0#")


async def list_stations() -> list[dict]:
    """Every active station with its pumps and its prices."""
    stations = await Station.filter(active=True).order_by("id").prefetch_related("pumps", "grades")
    return [_station_view(s) for s in stations]


def _station_view(station: Station) -> dict:
    return {
        "id": station.id,
        "code": station.code,
        "name": station.name,
        "address": station.address,
        "latitude": station.latitude,
        "longitude": station.longitude,
        "pumps": [{"pump_no": p.pump_no, "grades": p.grades} for p in sorted(station.pumps, key=lambda p: p.pump_no)],
        "grades": [
            {"grade": g.grade, "price_fen_per_litre": g.price_fen_per_litre, "category": g.category}
            for g in sorted(station.grades, key=lambda g: g.grade)
        ],
    }


async def price_for(*, station_id: int, pump_no: int, grade: str) -> tuple[Station, StationGrade]:
    """The station and the price of a grade at one of its pumps; clear errors for each thing that is unknown."""
    station = await Station.get_or_none(id=station_id, active=True)
    if station is None:
        raise NotFound("No such station.", field="station_id", code="station.not_found")
    pump = await Pump.get_or_none(station_id=station_id, pump_no=pump_no)
    if pump is None:
        raise ValidationFailed("This station has no such pump.", field="pump_no", code="station.pump_unknown")
    price = await StationGrade.get_or_none(station_id=station_id, grade=grade)
    if price is None or grade not in pump.grades:
        raise ValidationFailed("This pump does not sell that grade.", field="grade", code="station.grade_unknown")
    return station, price


DEMO_STATIONS: list[dict[str, Any]] = [
    {
        "code": "HZ-XH-001", "name": "优站 西湖文三路站", "address": "杭州市西湖区文三路 398 号",
        "latitude": 30.2776, "longitude": 120.1280,
        "prices": {"92#": 738, "95#": 786, "98#": 886, "0#": 712},
        "pumps": {1: ["92#", "95#"], 2: ["92#", "95#"], 3: ["95#", "98#"], 4: ["0#"]},
    },
    {
        "code": "HZ-BJ-002", "name": "优站 滨江江南大道站", "address": "杭州市滨江区江南大道 1088 号",
        "latitude": 30.2085, "longitude": 120.2120,
        "prices": {"92#": 735, "95#": 783, "0#": 709},
        "pumps": {1: ["92#", "95#"], 2: ["92#", "95#"], 3: ["0#"]},
    },
    {
        "code": "HZ-YH-003", "name": "优站 余杭高速出口站", "address": "杭州市余杭区良渚街道杭宁高速出口",
        "latitude": 30.3760, "longitude": 120.0260,
        "prices": {"92#": 741, "95#": 789, "98#": 889, "0#": 715},
        "pumps": {1: ["92#", "95#", "98#"], 2: ["92#", "95#", "98#"], 3: ["0#"], 4: ["0#"]},
    },
]


async def seed_demo() -> int:
    """Load the demo stations, pumps and prices; running it twice changes nothing the second time."""
    created = 0
    for spec in DEMO_STATIONS:
        async with in_transaction():
            station, made = await Station.get_or_create(
                code=spec["code"],
                defaults={k: spec[k] for k in ("name", "address", "latitude", "longitude")},
            )
            created += int(made)
            for grade, price in spec["prices"].items():
                await StationGrade.get_or_create(
                    station_id=station.id, grade=grade, defaults={"price_fen_per_litre": price}
                )
            for pump_no, grades in spec["pumps"].items():
                await Pump.get_or_create(station_id=station.id, pump_no=pump_no, defaults={"grades": grades})
    return created
