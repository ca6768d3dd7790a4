"""The app itself: its OpenAPI document and docs page, the Slack mount point, and naive times in queries."""

from __future__ import annotations

from fastapi import FastAPI

from bot.config import Settings
from bot.web import create_app
from tests.api.helpers import at, create


def test_the_openapi_document_and_the_docs_page_are_served(api):
    http = api.http(None)

    schema = http.get("/api/schema/").json()
    docs = http.get("/api/docs/")

    assert schema["openapi"].startswith("3.")
    assert schema["components"]["securitySchemes"]["TokenAuth"] == {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": "`Token <secret>`, with a secret from `maintbot token create`.",
    }
    assert "/api/maintenance-announcements/{uuid}/cancel_maintenance/" in schema["paths"]
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


def test_slack_routes_are_mounted_by_the_callable_given():
    def add_slack(app: FastAPI) -> None:
        app.add_api_route("/slack/events", lambda: {"ok": True}, methods=["POST"])

    app = create_app(None, Settings(), slack=add_slack)  # the services are not needed to build the app

    assert "post" in app.openapi()["paths"]["/slack/events"]


def test_query_times_without_a_zone_are_utc(api, world):
    create(api, world["cloud"], scheduled_start=at(20), scheduled_end=at(21))
    http = api.http()

    naive = http.get("/api/maintenance-announcements/", params={"scheduled_start_after": "2026-11-03T05:00:00"})
    shifted = http.get("/api/maintenance-announcements/",
                       params={"scheduled_start_after": "2026-11-03T06:00:00+01:00"})

    assert naive.headers["X-Result-Count"] == shifted.headers["X-Result-Count"] == "1"
    assert http.get("/api/maintenance-announcements/", params={"scheduled_start_after": "2026-11-03T05:00:01"}) \
        .headers["X-Result-Count"] == "0"
