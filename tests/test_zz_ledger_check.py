"""Runs last (file order): the invariant checker passes on everything the suite wrote, and fails on tampering."""

from app.models import Member


async def test_the_ledger_invariant_holds_after_the_suite(stack, db):
    result = stack.command("ledger-check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 with discrepancies" in result.stdout


async def test_the_checker_fails_on_a_ledger_that_was_tampered_with(stack, db):
    member = await Member.filter(points_balance__gt=0).order_by("id").first()
    assert member is not None, "the suite should have credited someone"
    await Member.filter(id=member.id).update(points_balance=member.points_balance + 1000)
    try:
        result = stack.command("ledger-check")
        assert result.returncode == 1
        assert f"member {member.id}:" in result.stdout
    finally:
        await Member.filter(id=member.id).update(points_balance=member.points_balance)
    assert stack.command("ledger-check").returncode == 0
