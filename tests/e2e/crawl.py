"""A browser crawl of the portal: every page reachable from a persona's navigation, sampled per
URL pattern, with what a person would run into (server errors, broken links, console errors,
Content-Security-Policy violations) and, on one page of each kind, axe-core's findings.

axe-core is vendored under ``vendor/`` (MPL-2.0, its licence beside it): nothing is downloaded
when the tests run.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urldefrag, urlsplit

from django.urls import Resolver404, resolve

AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core-4.10.3.min.js"
# axe-core's CSSOM preload fetches a stylesheet's @import with the URL as written, so the browser
# resolves it against the page, not the stylesheet (dequelabs/axe-core#5268, fix proposed in
# #5269): the admin's forms.css (`@import url('widgets.css')`) made every admin page with a form
# ask for `<page>/widgets.css`, a 404 on the password change page, and css-orientation-lock read
# no widgets.css. The same fix, applied when the library is loaded (the vendored file stays as
# released): resolve against the stylesheet, and tell cross-origin by the resolved origin.
AXE_IMPORTS_AS_WRITTEN = (
    "t=t.filter(function(e){return e.href}).map(function(e){return e.href})"
    ".filter(function(e){return!o.includes(e)}).map(function(e,t){var t=[].concat(w(a),[t]),"
    "n=/^https?:\\/\\/|^\\/\\//i.test(e);return nf(e,r,t,o,n)})"
)
AXE_IMPORTS_RESOLVED = (
    "t=t.filter(function(e){return e.href})"
    ".map(function(t){return new URL(t.href,e.href||document.baseURI).href})"
    ".filter(function(e){return!o.includes(e)}).map(function(e,t){var t=[].concat(w(a),[t]),"
    "n=new URL(e).origin!==location.origin;return nf(e,r,t,o,n)})"
)


def axe_source() -> str:
    """The vendored axe-core with its @import URLs resolved as CSS resolves them."""
    source = AXE_SOURCE.read_text()
    assert source.count(AXE_IMPORTS_AS_WRITTEN) == 1, "axe-core changed: review the @import fix"
    return source.replace(AXE_IMPORTS_AS_WRITTEN, AXE_IMPORTS_RESOLVED)


def _png_1x1() -> bytes:
    """A 1x1 transparent PNG: the tile a faked tile server answers."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    chunks = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + chunks


BLANK_PNG = _png_1x1()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SERIOUS = {"serious", "critical"}

# Never followed: they sign out, switch language or only answer to a script.
SKIP_PREFIXES = ("/accounts/logout/", "/admin/logout/", "/i18n/", "/static/", "/media/")
SKIP_SUFFIXES = (".json",)
# Findings not yet explained, each on one page only (the page's other checks, axe included, run).
KNOWN_GAPS: dict[str, tuple[str, ...]] = {}
# Pages that are files, not HTML: checked for their status only.
FILE_URL_NAMES = {"covenant-document", "soft-target-evidence"}


@dataclass
class Finding:
    url: str
    what: str

    def __str__(self) -> str:
        return f"{self.url}: {self.what}"


@dataclass
class CrawlResult:
    visited: list[str] = field(default_factory=list)
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    axe_pages: list[str] = field(default_factory=list)
    patterns: set[str] = field(default_factory=set)


def pattern_of(path: str, query: str) -> str | None:
    """The kind of page: its URL name and the names of its query parameters (values ignored)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    name = match.view_name
    keys = sorted({key for key, _ in parse_qsl(query, keep_blank_values=True)})
    return f"{name}?{'&'.join(keys)}" if keys else name


ADMIN_KIND = re.compile(r"^admin:\w+?_(changelist|change|add|delete|history)$")
# Admin pages axe reads for each model (or app): their columns, filters and fields differ.
ADMIN_PER_MODEL = {"changelist", "change"}


def kind_of(name: str, path: str = "") -> str:
    """The kind of page for axe: one URL name of the dashboard; in the admin the index, each
    app's index, each model's change list and change form, and one page of every other type
    (add, delete, history: the same template for every model)."""
    if name == "admin:app_list":
        return f"{name}:{path}"
    match = ADMIN_KIND.match(name)
    if match and match.group(1) not in ADMIN_PER_MODEL:
        return f"admin:{match.group(1)}"
    return name


def _same_site(url: str, base: str) -> str | None:
    """The path and query of a link to this site, or None for another site or a non-page."""
    url, _ = urldefrag(url)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base:
        return None
    path = parts.path or "/"
    if path.startswith(SKIP_PREFIXES) or path.endswith(SKIP_SUFFIXES):
        return None
    return path + (f"?{parts.query}" if parts.query else "")


class Crawler:
    """Breadth-first through the links a page shows: at most ``per_pattern`` pages of one kind
    opened in the browser and ``per_name`` per URL name; the status of at most ``checks`` links
    of one kind is checked (a list of a thousand objects is a thousand links of one kind)."""

    def __init__(self, page, base_url: str, *, per_pattern=1, per_name=2, checks=2, run_axe=None):
        self.page = page
        self.base = base_url.rstrip("/")
        self.per_pattern = per_pattern
        self.per_name = per_name
        self.checks = checks
        self.run_axe = run_axe  # a set shared between crawls: URL names already checked
        self.result = CrawlResult()
        # kept across crawls from several starts, so that no page is walked twice
        self._seen: set[str] = set()
        self._opened_per_pattern: dict[str, int] = defaultdict(int)
        self._opened_per_name: dict[str, int] = defaultdict(int)
        self._checked_per_pattern: dict[str, int] = defaultdict(int)
        self._current = ""
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self._find_in_browser(f"script error: {exc}"))
        page.on("response", self._on_response)
        self.outside: list[str] = []  # requests to other sites (map tiles), answered here
        page.route(lambda url: not url.startswith(self.base), self._fake_outside)

    def _fake_outside(self, route) -> None:
        """The edge of the world: another site (the map's tile server) gets a blank tile."""
        self.outside.append(route.request.url)
        route.fulfill(status=200, content_type="image/png", body=BLANK_PNG)

    def _find_in_browser(self, what: str) -> None:
        """A console error, CSP violation or failed request seen by the browser."""
        if self._current in KNOWN_GAPS and any(gap in what for gap in KNOWN_GAPS[self._current]):
            return
        self._find(what)

    def _find(self, what: str) -> None:
        self.result.findings.append(Finding(self._current, what))
        print("FINDING", self._current, what, flush=True)

    def _on_console(self, message) -> None:
        if message.type in ("error", "warning") and (
            message.type == "error" or "Content Security Policy" in message.text
        ):
            self._find_in_browser(f"console {message.type}: {message.text}")

    def _on_response(self, response) -> None:
        if response.url.startswith(self.base) and response.status >= 400:
            self._find_in_browser(f"{response.status} for {response.url}")

    def crawl(self, start: str = "/") -> CrawlResult:
        queue = [start]
        seen_links = self._seen
        seen_links.add(start)
        opened_per_pattern = self._opened_per_pattern
        opened_per_name = self._opened_per_name
        checked_per_pattern = self._checked_per_pattern
        while queue:
            url = queue.pop(0)
            path, _, query = url.partition("?")
            pattern = pattern_of(path, query)
            if pattern is None:
                self._current = url
                self._find("no page at this address (broken link)")
                continue
            name = pattern.split("?")[0]
            if checked_per_pattern[pattern] >= self.checks:
                continue
            checked_per_pattern[pattern] += 1
            status, is_html = self._status(url)
            self.result.checked += 1
            print(status, url, flush=True)  # shown by pytest when the crawl fails
            if status >= 400:
                self._current = url
                self._find(f"answered {status}")
                continue
            if not is_html or name in FILE_URL_NAMES:
                continue
            per_name = 1 if name.startswith("admin:") else self.per_name
            # each app's index is its own page (one URL name serves them all)
            opened = name if name != "admin:app_list" else kind_of(name, path)
            if (
                opened_per_pattern[pattern] >= self.per_pattern
                or opened_per_name[opened] >= per_name
            ):
                continue
            opened_per_pattern[pattern] += 1
            opened_per_name[opened] += 1
            self.result.patterns.add(pattern)
            for link in self._open(url, name):
                if link not in seen_links:
                    seen_links.add(link)
                    queue.append(link)
        return self.result

    def _status(self, url: str) -> tuple[int, bool]:
        response = self.page.request.get(self.base + url, max_redirects=5)
        kind = response.headers.get("content-type", "")
        status = response.status
        response.dispose()
        return status, kind.startswith("text/html")

    def _open(self, url: str, name: str) -> list[str]:
        self._current = url
        response = self.page.goto(url, wait_until="load")
        self.result.visited.append(url)
        if response is None or response.status >= 400:
            self._find(f"answered {response.status if response else 'nothing'} in the browser")
            return []
        kind = kind_of(name, url.partition("?")[0])
        if self.run_axe is not None and kind not in self.run_axe:
            self.run_axe.add(kind)
            self.result.axe_pages.append(url)
            for violation in axe(self.page):
                self._find(violation)
        hrefs = self.page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        links = []
        for href in hrefs:
            link = _same_site(href, self.base)
            if link is not None:
                links.append(link)
        return links


def axe(page) -> list[str]:
    """axe-core's serious and critical WCAG 2.1 A/AA violations on the open page, one line each.

    The library is evaluated through the DevTools protocol, which the page's CSP does not
    govern; the page itself still runs under its policy."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: "
        "['violations']}).then(r => r.violations.map(v => ({id: v.id, impact: v.impact, "
        "nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5), count: v.nodes.length})))",
        AXE_TAGS,
    )
    return [
        f"axe {v['impact']} {v['id']} ({v['count']}x): {', '.join(v['nodes'])}"
        for v in results
        if v["impact"] in SERIOUS
    ]
