"""The migrations build the schema the models declare, indexes included, on both databases."""

from tortoise import connections

from app.models import __models__


async def _index_columns(table: str) -> set[tuple[str, ...]]:
    connection = connections.get("default")
    if connection.capabilities.dialect == "postgres":
        rows = await connection.execute_query_dict(
            "SELECT indexdef FROM pg_indexes WHERE tablename = $1", [table]
        )
        return {tuple(c.strip().strip('"') for c in row["indexdef"].rsplit("(", 1)[1].rstrip(")").split(","))
                for row in rows}
    names = await connection.execute_query_dict(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", [table]
    )
    found = set()
    for row in names:
        columns = await connection.execute_query_dict(f"PRAGMA index_info(\"{row['name']}\")")
        found.add(tuple(c["name"] for c in sorted(columns, key=lambda c: c["seqno"])))
    return found


async def test_every_declared_index_exists_after_migrating(db):
    missing = []
    for model in __models__:
        meta = model._meta
        existing = await _index_columns(meta.db_table)
        declared = [tuple(index) for index in (meta.indexes or ())]
        declared += [tuple(columns) for columns in (meta.unique_together or ())]
        declared += [(field.source_field or name,) for name, field in meta.fields_map.items()
                     if (field.index or field.unique) and not field.pk]
        missing += [(meta.db_table, columns) for columns in declared if columns not in existing]
    assert missing == []
