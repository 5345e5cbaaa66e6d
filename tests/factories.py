"""Factories that build through the services, so every test object obeys the same rules."""

from __future__ import annotations

import factory

from partnerships.services import organisations as org_services

PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.Factory):
    class Meta:
        model = dict

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    kind = "private"
    sector = "football_stadium"
    region = "Amsterdam-Amstelland"
    municipality = "Amsterdam"
    is_nctv = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        return org_services.organisation_create(**kwargs)

    _build = _create


class UserFactory(factory.Factory):
    class Meta:
        model = dict

    username = factory.Sequence(lambda n: f"user-{n}")
    password = PASSWORD
    organisation = factory.SubFactory(OrganisationFactory)
    role = "member"
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.invalid")
    first_name = ""
    last_name = ""
    is_staff = False
    is_superuser = False

    @classmethod
    def _create(cls, model_class, **kwargs):
        return org_services.user_create(**kwargs)

    _build = _create
