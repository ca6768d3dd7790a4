"""Property-based: schemathesis generates requests for every operation of the served OpenAPI document.

Whatever it sends, the server must answer without a 5xx, with a status code the document lists for
that operation, with the documented content type, headers and body schema. Half of the generated
resource ids and hyperlinks are swapped for real ones (one announcement in each state, with an
affected offering, a template with an offering), so requests also reach the domain instead of
stopping at "not found". Kept small: a few examples per operation.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.domain.announcements import AffectedInput
from bot.domain.enums import State
from tests.factories import announce

EXAMPLES = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def real_ids(api, admin, world) -> dict[str, list[str]]:
    """Real uuids by the collection that serves them."""
    services = api.services
    announcements = [announce(services, admin, state) for state in State]
    links = [
        services.announcements.add_affected(admin, a.uuid, AffectedInput(world["offerings"]["VMs"].uuid))
        for a in announcements
    ]
    template = services.templates.create(admin, {"name": "Kernel", "provider": world["cloud"].uuid})
    template_link = services.templates.add_offering(admin, template.uuid, AffectedInput(world["offerings"]["VMs"].uuid))
    return {
        "maintenance-announcements": [a.uuid.hex for a in announcements],
        "public-maintenance-announcements": [a.uuid.hex for a in announcements if a.state in (2, 3, 4)],
        "maintenance-announcement-offerings": [link.uuid.hex for link in links],
        "maintenance-announcements-template": [template.uuid.hex],
        "maintenance-announcement-template-offerings": [template_link.uuid.hex],
        "marketplace-service-providers": [world["cloud"].uuid.hex, world["storage"].uuid.hex],
        "marketplace-provider-offerings": [o.uuid.hex for o in world["offerings"].values()],
        "maintenance-series": [services.series.create(admin, {
            "name": "Patch window", "provider": world["cloud"].uuid, "rrule": "FREQ=WEEKLY;BYDAY=TU",
            "timezone": "Europe/Tallinn", "start_time": "02:00", "duration_minutes": 60}).uuid.hex],
    }


#: Body fields holding hyperlinks, and the collection their targets live in.
LINK_FIELDS = {
    "service_provider": "marketplace-service-providers",
    "maintenance": "maintenance-announcements",
    "offering": "marketplace-provider-offerings",
    "maintenance_template": "maintenance-announcements-template",
}


def make_real(case, ids: dict[str, list[str]]) -> None:
    """Point about half of the generated ids and links at existing things, chosen by the generated values."""
    def pick(generated: object, collection: str) -> str | None:
        choices = ids[collection]
        number = sum(map(ord, str(generated)))
        return choices[number % len(choices)] if number % 2 == 0 else None

    if case.path_parameters and "uuid" in case.path_parameters:
        collection = case.operation.path.split("/")[2]
        real = pick(case.path_parameters["uuid"], collection)
        if real:
            case.path_parameters["uuid"] = real
    if isinstance(case.body, dict):
        for field, collection in LINK_FIELDS.items():
            if field in case.body:
                real = pick(case.body[field], collection)
                if real:
                    case.body[field] = f"/api/{collection}/{real}/"


def test_every_operation_answers_within_its_schema(api, real_ids):
    schema = schemathesis.openapi.from_url(f"{api.base_url}/api/schema/")
    headers = {"Authorization": f"Token {api.tokens['admin']}"}
    operations = [result.ok() for result in schema.get_all_operations()]

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_within_schema(case):
            make_real(case, real_ids)
            case.call_and_validate(base_url=api.base_url, headers=headers, checks=CHECKS)

        answers_within_schema()

    assert len(operations) >= 40
