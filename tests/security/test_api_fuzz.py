"""The API keeps its contract under fuzzing: schemathesis generates requests from the OpenAPI
schema and sends them to the portal in-process (WSGI, no network), as a partner administrator, a
partner viewer and NCTV staff, each with an API token.

Every response is checked: no server error; status code, content type and body as the schema
documents them; valid requests accepted, invalid ones refused. Path ids are random UUIDs (not
found) or, half the time, objects the role can name (the AMBER alert, a soft target, a report…),
so details and actions are reached too.

``FUZZ_EXAMPLES`` sets the examples per operation, role and mode (CI: the default below, about
2,500 requests, deterministic); ``make fuzz`` runs more with a random seed. The run prints how
many requests it sent.
"""

from __future__ import annotations

import json
import os
import time
from collections import Counter

import hypothesis
import hypothesis.errors
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.alerts.conftest import world  # noqa: F401 (the alerts world fixture)
from tests.security.conftest import COUNTS
from tests.security.fuzz_world import build_fuzz_world

pytestmark = pytest.mark.django_db

# Cases per operation: valid ones, valid ones naming a known object, invalid ones. Each case is
# sent as every role (generating a case costs more than sending it).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "7"))
KNOWN_EXAMPLES = max(1, EXAMPLES // 2)
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 5)
MINIMUM_REQUESTS = 2000 if EXAMPLES >= 7 else 0
RANDOM = os.environ.get("FUZZ_RANDOM", "") in {"1", "true", "yes"}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# A request the schema calls valid may still break a business rule the schema cannot say (an id
# that names nothing, a date in the future, a level the covenant does not allow): those answer
# 400 with a message, documented. Where no such rule exists, every valid request must succeed.
ANY_VALID_REQUEST_SUCCEEDS = {"GET", "HEAD"}


def _schema():
    """The schema exactly as ``/api/schema/`` serves it, for the app in this process."""
    raw = SchemaGenerator().get_schema(request=None, public=True)
    served = json.loads(OpenApiJsonRenderer().render(raw, renderer_context={}))
    # NUL characters are refused before any view (ppsportal.middleware, tested on its own):
    # generating them would only test that refusal, for every string parameter.
    config = schemathesis.Config.from_dict({"generation": {"allow-x00": False}})
    schema = schemathesis.openapi.from_dict(served, config=config)
    schema.app = WSGIHandler()
    return schema


class Run:
    def __init__(self, roles):
        self.roles = roles
        self.requests = 0
        self.statuses: Counter[int] = Counter()
        self.failures: dict[str, str] = {}

    def operation(self, operation, mode, examples: int, path_parameters=None):
        strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)
        checks = CHECKS + (
            [positive_data_acceptance]
            if operation.method.upper() in ANY_VALID_REQUEST_SUCCEEDS
            else []
        )
        key = f"{mode.value} {operation.label}" + (" (known id)" if path_parameters else "")

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=not RANDOM,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.generate],
            verbosity=hypothesis.Verbosity.quiet,
        )
        @hypothesis.given(case=strategy)
        def send(case):
            for role in self.roles:
                role.ensure_token()  # the revoke endpoint is fuzzed too
                response = case.call(headers=role.headers)
                self.requests += 1
                self.statuses[response.status_code] += 1
                try:
                    case.validate_response(response, checks=checks, headers=role.headers)
                except BaseException as failure:
                    failure.add_note(f"as {role.name}")
                    raise

        try:
            send()
        except hypothesis.errors.Unsatisfiable:
            return  # nothing to make invalid (no parameters, no body): the valid cases cover it
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as failure:  # check failures are exception groups
            notes = " ".join(getattr(failure, "__notes__", []))
            self.failures[key] = f"{notes}\n{failure}"[:3000]


def _known_id(operation, roles) -> dict | None:
    """An object the roles can name, for an operation with a path parameter."""
    segment = operation.path.removeprefix("/api/v1/").split("/", 1)[0]
    ids = roles[0].ids
    if segment in ids and "{" in operation.path:
        name = "code" if "{code}" in operation.path else "id"
        return {name: ids[segment]}
    return None


@pytest.fixture
def wsgi_in_this_transaction(settings):
    """The app answers inside the test's transaction: the database connection stays open
    between requests (as Django's test client arranges), and the test host is allowed."""
    settings.ALLOWED_HOSTS = ["localhost", "testserver"]
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_api_keeps_its_contract_under_fuzzing(world, fake_dns, wsgi_in_this_transaction):  # noqa: F811
    fake_dns.offline = True  # URLs in generated webhooks never reach a real resolver
    roles = build_fuzz_world(world, fake_dns)
    schema = _schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    run = Run(roles)
    started = time.monotonic()
    for operation in operations:
        run.operation(operation, GenerationMode.POSITIVE, EXAMPLES)
        run.operation(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)
        known = _known_id(operation, roles)
        if known is not None:
            run.operation(operation, GenerationMode.POSITIVE, KNOWN_EXAMPLES, known)
    seconds = time.monotonic() - started
    COUNTS["API fuzzing (schemathesis)"] = (
        f"{run.requests} requests, {len(operations)} operations x {len(roles)} roles, "
        f"{seconds:.0f} s; statuses {dict(sorted(run.statuses.items()))}"
    )
    report = "\n\n".join(f"== {key}\n{text}" for key, text in sorted(run.failures.items()))
    assert not run.failures, f"{len(run.failures)} failing operations:\n\n{report}"
    assert run.requests >= MINIMUM_REQUESTS
    assert 500 not in run.statuses
