"""Translation catalogue tooling that needs no GNU gettext (a new machine may lack it).

``extract_messages`` finds every translatable string in the project's Python code and templates
(templates go through Django's own ``templatize``); ``update_catalog`` merges them into the Dutch
``.po`` file keeping existing translations; ``compile_catalog`` writes the ``.mo`` file that Django
reads. A test compares the three so that a string without a Dutch translation fails the suite.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from django.conf import settings
from django.utils.translation.template import templatize

APPS = ["ppsportal", "partnerships", "threats", "alerts", "interop", "sso", "preparedness"]
# The portal's one catalogue lies beside this module (settings.LOCALE_PATHS points here too).
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGE = "nl"

_LAZY = {
    "gettext_lazy": None,
    "ngettext_lazy": (1, 2),
    "pgettext_lazy": ((1, "c"), 2),
    "npgettext_lazy": ((1, "c"), 2, 3),
    "gettext_noop": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "gettext": None,
    "_": None,
}


@dataclass(frozen=True)
class Message:
    msgid: str | tuple[str, str]
    context: str | None
    location: tuple[str, int]


def _source_files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    files: list[Path] = []
    for app in APPS:
        root = base / app
        files += [p for p in root.rglob("*.py") if "migrations" not in p.parts]
        files += list(root.rglob("templates/**/*.html")) + list(root.rglob("templates/**/*.txt"))
    # The project-wide templates (the admin theme, overrides of third-party templates).
    files += list((base / "templates").rglob("*.html"))
    return sorted(files)


def _extract(fileobj, path: Path) -> list[Message]:
    found = []
    for lineno, _funcname, messages, _comments in _run_extractor(fileobj):
        values = list(messages) if isinstance(messages, tuple) else [messages]
        context = None
        if _funcname in {"pgettext", "pgettext_lazy", "npgettext", "npgettext_lazy"}:
            context, values = values[0], values[1:]
        values = [v for v in values if v is not None]
        if not values or not all(isinstance(v, str) for v in values):
            continue
        msgid = values[0] if len(values) == 1 else (values[0], values[1])
        rel = str(path.relative_to(settings.BASE_DIR))
        found.append(Message(msgid=msgid, context=context, location=(rel, lineno)))
    return found


def _run_extractor(fileobj):
    # Babel's python extractor yields (lineno, funcname, messages, comments).
    return extract_python(fileobj, list(_LAZY), [], {})


def extract_messages() -> list[Message]:
    messages: list[Message] = []
    for path in _source_files():
        text = path.read_text(encoding="utf-8")
        if path.suffix in {".html", ".txt"}:
            # Inside brackets Python's tokenizer ignores indentation, so an indented
            # {% translate %} line cannot break the extraction.
            text = "(\n" + templatize(text, origin=str(path)) + "\n)"
        messages += _extract(io.BytesIO(text.encode("utf-8")), path)
    return messages


def po_path(language: str = LANGUAGE) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.po"


def mo_path(language: str = LANGUAGE) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / "django.mo"


def read_catalog(language: str = LANGUAGE) -> Catalog:
    path = po_path(language)
    if not path.exists():
        return Catalog(locale=language, project="PPS Portal", domain="django")
    with path.open("rb") as fh:
        return read_po(fh, locale=language)


def update_catalog(language: str = LANGUAGE) -> tuple[int, int]:
    """Merge the extracted strings into the .po file. Returns (added, obsolete) counts."""
    catalog = read_catalog(language)
    template = Catalog(locale=language, project="PPS Portal", domain="django")
    for message in extract_messages():
        template.add(
            message.msgid,
            locations=[message.location],
            context=message.context,
            flags=("python-format",) if "%(" in str(message.msgid) else (),
        )
    before = {(m.id, m.context) for m in catalog if m.id}
    catalog.update(template, no_fuzzy_matching=True)
    after = {(m.id, m.context) for m in catalog if m.id}
    obsolete = len(catalog.obsolete)
    catalog.obsolete.clear()
    path = po_path(language)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=100, sort_output=True, include_previous=False)
    return len(after - before), obsolete


def compile_catalog(language: str = LANGUAGE) -> int:
    catalog = read_catalog(language)
    with mo_path(language).open("wb") as fh:
        write_mo(fh, catalog, use_fuzzy=False)
    return sum(1 for m in catalog if m.id and m.string)


def untranslated(language: str = LANGUAGE) -> list[str]:
    """Strings used in the code with no (non-fuzzy) translation in the .po file."""
    catalog = read_catalog(language)
    missing = []
    for message in extract_messages():
        entry = catalog.get(message.msgid, context=message.context)
        string = entry.string if entry is not None else None
        translated = bool(string) and (
            all(string) if isinstance(string, tuple | list) else bool(string)
        )
        if entry is None or entry.fuzzy or not translated:
            missing.append(f"{message.location[0]}:{message.location[1]}: {message.msgid!r}")
    return missing
