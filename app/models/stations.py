"""The chain's sites: stations, their pumps, and the price of each fuel grade at each station."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Station(Model):
    """A gas station."""

    id = fields.BigIntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=64)
    address = fields.CharField(max_length=128, default="")
    latitude = fields.FloatField(null=True)
    longitude = fields.FloatField(null=True)
    active = fields.BooleanField(default=True)

    pumps: fields.ReverseRelation[Pump]
    grades: fields.ReverseRelation[StationGrade]

    class Meta:
        table = "stations"


class Pump(Model):
    """A pump (加油枪/油机) at a station, with the grades it dispenses."""

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "models.Station", related_name="pumps", on_delete=fields.CASCADE
    )
    station_id: int
    pump_no = fields.IntField()
    grades: list[str] = fields.JSONField(default=list)  # type: ignore[assignment]

    class Meta:
        table = "pumps"
        unique_together = (("station_id", "pump_no"),)


class StationGrade(Model):
    """The price per litre of a fuel grade at a station, in fen."""

    id = fields.BigIntField(primary_key=True)
    station: fields.ForeignKeyRelation[Station] = fields.ForeignKeyField(
        "models.Station", related_name="grades", on_delete=fields.CASCADE
    )
    station_id: int
    grade = fields.CharField(max_length=16)
    category = fields.CharField(max_length=16, default="fuel")
    price_fen_per_litre = fields.IntField()

    class Meta:
        table = "station_grades"
        unique_together = (("station_id", "grade"),)
