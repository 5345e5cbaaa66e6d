"""Markdown written by NCTV staff, rendered to HTML that is safe to show anywhere.

python-markdown turns the text into HTML (passing raw HTML through, as Markdown does); nh3 then
keeps only the tags and attributes below, so scripts, event handlers (``onerror=``), styles,
frames, forms, images and ``javascript:`` links never reach a browser. Images are left out on
purpose: a remote image would tell its host who read the assessment and when.
"""

from __future__ import annotations

import markdown as python_markdown
import nh3

ALLOWED_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
EXTENSIONS = ["extra", "sane_lists"]


def render_markdown(text: str) -> str:
    """Markdown source to sanitised HTML (an empty string for empty text)."""
    if not (text or "").strip():
        return ""
    html = python_markdown.markdown(text, extensions=EXTENSIONS, output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
