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


async def test_answers_have_the_shapes_the_openapi_description_promises(api, sandbox):
    from app.handlers import schemas
    from tests.helpers import login, wait_paid

    spec = (await api.get("/docs/openapi.json")).json()
    assert {"TokensOut", "MeOut", "CreatedOrderOut", "StationsOut", "ErrorOut"} <= set(spec["components"]["schemas"])
    driver = await login(api, sandbox)
    schemas.MeOut.model_validate((await api.get("/api/me", headers=driver.headers)).json())
    schemas.StationsOut.model_validate((await api.get("/api/stations")).json())
    created = await api.post("/api/orders", headers=driver.headers,
                             json={"station_id": 1, "pump_no": 1, "grade": "92#", "amount_fen": 10000})
    schemas.CreatedOrderOut.model_validate(created.json())
    order, payment = created.json()["order"], created.json()["payment"]
    await sandbox.request_payment(payment)
    await wait_paid(api, driver, order["out_trade_no"])
    again = (await api.post("/api/auth/login", json={"code": (await sandbox.login_code(driver.openid))["code"]})).json()
    schemas.TokensOut.model_validate(again)
    headers = {"Authorization": f"Bearer {again['access_token']}"}
    schemas.MeOut.model_validate((await api.get("/api/me", headers=headers)).json())
    schemas.PointsPageOut.model_validate((await api.get("/api/me/points", headers=headers)).json())
    schemas.OrderWrapOut.model_validate((await api.get(f"/api/orders/{order['out_trade_no']}", headers=headers)).json())
    schemas.OrdersPageOut.model_validate((await api.get("/api/orders", headers=headers)).json())
    schemas.ErrorOut.model_validate((await api.get("/api/me")).json())


async def test_every_reference_in_the_openapi_description_resolves(api):
    spec = (await api.get("/docs/openapi.json")).json()
    schemas = spec["components"]["schemas"]

    def refs(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from refs(value)
        elif isinstance(node, list):
            for value in node:
                yield from refs(value)

    found = list(refs(spec))
    assert found, "nested answers refer to their components"
    for ref in found:
        assert ref.startswith("#/components/schemas/") and ref.rsplit("/", 1)[1] in schemas, ref


async def test_every_answer_names_its_request_for_the_logs(api):
    mine = await api.get("/api/health", headers={"X-Request-ID": "lb-7f3a9c"})
    assert mine.headers["X-Request-ID"] == "lb-7f3a9c"
    assert len((await api.get("/api/stations")).headers["X-Request-ID"]) >= 16
