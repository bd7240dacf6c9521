"""`python -m app.commands migrate | seed-demo | ledger-check`: what scripts/ runs."""

from __future__ import annotations

import asyncio
import sys

from tortoise import Tortoise

from app.settings import load_settings


async def migrate() -> int:
    """Apply the schema migrations to DATABASE_URL."""
    from tortoise.migrations.api.migrate import migrate as apply

    settings = load_settings()
    await apply(config=settings.tortoise_config())
    await Tortoise.close_connections()
    print(f"migrated {settings.database_url.split('@')[-1]}")
    return 0


async def seed_demo() -> int:
    """Load the demo stations (safe to run twice)."""
    from app.services import stations

    settings = load_settings()
    await Tortoise.init(config=settings.tortoise_config(), _enable_global_fallback=True)
    try:
        created = await stations.seed_demo()
    finally:
        await Tortoise.close_connections()
    print(f"demo data: {created} stations created, {len(stations.DEMO_STATIONS) - created} already there")
    return 0


async def ledger_check() -> int:
    """Exit 0 when the ledger invariant holds for every member, else list the members and exit 1."""
    from app.services import ledger

    settings = load_settings()
    await Tortoise.init(config=settings.tortoise_config(), _enable_global_fallback=True)
    try:
        checked, problems = await ledger.check_invariant()
    finally:
        await Tortoise.close_connections()
    for problem in problems:
        print(problem.describe())
    print(f"ledger-check: {checked} members checked, {len(problems)} with discrepancies")
    return 1 if problems else 0


COMMANDS = {"migrate": migrate, "seed-demo": seed_demo, "ledger-check": ledger_check}


def main(argv: list[str]) -> int:
    """Dispatch one command."""
    if len(argv) != 1 or argv[0] not in COMMANDS:
        print(f"usage: python -m app.commands {{{'|'.join(COMMANDS)}}}", file=sys.stderr)
        return 2
    return asyncio.run(COMMANDS[argv[0]]())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
