"""Dutch is the default, English is one click away, and no string goes untranslated."""

import gettext

import pytest
from babel.messages.mofile import read_mo

from ppsportal import translations

pytestmark = pytest.mark.django_db


def test_every_translatable_string_has_a_dutch_translation():
    missing = translations.untranslated()
    assert missing == [], "Run `make messages` and translate:\n" + "\n".join(missing)


def test_the_compiled_catalogue_matches_the_po_file():
    def entries(catalog):
        def key(value):
            return tuple(value) if isinstance(value, list | tuple) else value

        return {(key(m.id), m.context): key(m.string) for m in catalog if m.id and not m.fuzzy}

    po = entries(translations.read_catalog())
    with translations.mo_path().open("rb") as fh:
        mo = entries(read_mo(fh))
    assert mo == po, "The .mo file is stale: run `make compilemessages` and commit it."


def test_the_mo_file_is_readable_by_gettext():
    with translations.mo_path().open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)
    assert catalog.gettext("Sign in") == "Inloggen"


def test_the_checker_notices_a_string_without_translation(monkeypatch, tmp_path):
    # A catalogue with one entry removed must be reported, or the test above proves nothing.
    from babel.messages.pofile import write_po

    catalog = translations.read_catalog()
    catalog.delete("Sign in")
    po = tmp_path / "django.po"
    with po.open("wb") as fh:
        write_po(fh, catalog)
    monkeypatch.setattr(translations, "po_path", lambda language="nl": po)
    assert any("'Sign in'" in line for line in translations.untranslated())


def test_login_page_is_dutch_by_default(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="nl">' in content
    assert "Inloggen" in content
    assert "Gebruikersnaam" in content


def test_english_is_one_click_away(client, operator_a):
    client.force_login(operator_a)
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Welcome" in content
    assert "Administrator" in content


def test_dutch_home_page_shows_no_english_words(client, operator_a):
    client.force_login(operator_a)
    content = client.get("/").content.decode()
    for english in ["Welcome", "Sign out", "Home<", "Administrator", "You work here"]:
        assert english not in content, english
    assert "Welkom" in content and "Uitloggen" in content


@pytest.mark.parametrize(
    ("accept_language", "lang"),
    [
        ("", "nl"),  # no preference: Dutch
        ("en-GB,en;q=0.9", "en"),  # a browser set to English
        ("de-DE,de;q=0.9", "nl"),  # a language the portal does not speak: Dutch
        ("fr,en;q=0.5,nl;q=0.8", "nl"),  # Dutch preferred over English
    ],
)
def test_the_language_is_dutch_unless_the_browser_asks_for_english(client, accept_language, lang):
    """The decision the README states: Dutch by default, English when the browser asks for it."""
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert f'<html lang="{lang}">' in response.content.decode()


def test_the_switcher_outweighs_the_browser(client):
    client.post("/i18n/setlang/", {"language": "nl", "next": "/accounts/login/"})
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert '<html lang="nl">' in response.content.decode()
