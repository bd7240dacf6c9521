"""The outside contract: health, the OpenAPI description of every endpoint, stations, error format."""

from app import create_app


async def test_health_reports_the_database_and_redis(api, stack):
    body = (await api.get("/api/health")).json()
    assert body["status"] == "ok" and body["database"] == "ok" and body["redis"] == "ok"
    assert body["database_backend"] == ("postgresql" if stack.backend == "postgres" else "sqlite")
    assert body["redis_backend"] == ("redis" if stack.backend == "postgres" else "embedded")


async def test_every_endpoint_is_in_the_openapi_description(api, stack):
    spec = (await api.get("/docs/openapi.json")).json()
    app = create_app(stack.settings(), name="openapi_probe")
    routes = {
        "/" + route.path.replace("<out_trade_no:str>", "{out_trade_no}")
        for route in app.router.routes
        if route.path.startswith("api/")
    }
    assert routes <= set(spec["paths"]), routes - set(spec["paths"])
    page = await api.get("/docs")
    assert page.status_code == 200
    assert "cdnjs" not in page.text  # Swagger UI comes from the app itself, so /docs works offline
    for asset in ("swagger-ui-bundle.min.js", "swagger-ui.min.css"):
        url = next(part.split('"')[0] for part in page.text.split('="')[1:] if asset in part.split('"')[0])
        assert (await api.get(url)).status_code == 200
    assert "bearer" in spec["components"]["securitySchemes"]


async def test_stations_list_pumps_and_prices(api):
    items = (await api.get("/api/stations")).json()["items"]
    assert len(items) >= 3
    first = items[0]
    assert {"id", "name", "pumps", "grades"} <= set(first)
    assert {g["grade"] for g in first["grades"]} >= {"92#", "95#", "0#"}
    assert all(isinstance(g["price_fen_per_litre"], int) for g in first["grades"])


async def test_errors_have_a_stable_code_and_no_trace(api):
    response = await api.get("/api/me")
    assert response.status_code == 401
    assert response.json() == {"error": {"code": "auth.required", "message": "Log in first.", "field": None}}


async def test_the_home_profile_matches_what_login_answers(api, sandbox):
    from tests.helpers import login, place_order, wait_paid

    driver = await login(api, sandbox)
    order, payment = await place_order(api, driver, amount_fen=12300)
    await sandbox.request_payment(payment)
    await wait_paid(api, driver, order["out_trade_no"])
    again = await login(api, sandbox, openid=driver.openid)
    home = (await api.get("/api/me", headers=again.headers)).json()["member"]
    assert home == again.member
    assert home["points_balance"] == 123 and home["tier_name"] == "普通会员"
