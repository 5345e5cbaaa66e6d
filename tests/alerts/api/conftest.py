"""Helpers of the alerts API tests, on the ``world`` of ``tests/alerts/conftest.py``.

- ``client_for(user, language="en")``: an API client signed in as the persona (session, as the
  browsable API), asking for English unless told otherwise.
- ``deliver(alert)``: run the alert's waiting deliveries, as the workers would.
"""

from __future__ import annotations

import pytest

from alerts import delivery as engine
from tests import signin
from tests.alerts.conftest import pending_ids

URL = "/api/v1/alerts/"


def detail(alert, suffix: str = "") -> str:
    return f"{URL}{alert.public_id}/{suffix}"


def deliver(alert) -> None:
    engine.deliver(pending_ids(alert))


@pytest.fixture
def client_for():
    from rest_framework.test import APIClient

    def sign_in(user, *, language: str = "en"):
        client = APIClient()
        signin.sign_in(client, user)
        client.credentials(HTTP_ACCEPT_LANGUAGE=language)
        return client

    return sign_in


@pytest.fixture
def green(world):
    """A GREEN alert published to the football stadiums: A and D receive it, B does not."""
    return world.published(tlp="green", sectors=[world.sector("football_stadium")])


@pytest.fixture
def amber(world):
    """An AMBER alert to partner A by name and the partnership: A and B (both under the
    covenant) receive it."""
    return world.published(
        tlp="amber",
        headline="Dreiging Stadion PPS",
        organisations=[world.org_a],
        partnerships=[world.partnership],
    )
