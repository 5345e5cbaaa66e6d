"""The user guides and their pictures agree: every picture a guide shows is in docs/screenshots/,
every picture `make screenshots` takes is shown in a guide, and the folder holds nothing else.
No browser is needed: the pictures are committed, and `make screenshots` renews them."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from tests.e2e.screenshots import OUTPUT, SHOTS

DOCS = Path(__file__).resolve().parents[2] / "docs"
GUIDES = ("guide-nctv.md", "guide-operator.md", "guide-integrator.md")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)")


def _images() -> dict[str, list[tuple[str, str]]]:
    """Per guide, its images as (alt text, path)."""
    return {guide: IMAGE.findall((DOCS / guide).read_text()) for guide in GUIDES}


def test_every_picture_a_guide_shows_exists():
    missing = [
        f"{guide}: {path}"
        for guide, images in _images().items()
        for _alt, path in images
        if not (DOCS / path).is_file()
    ]
    assert not missing, "run `make screenshots`, or fix the path:\n" + "\n".join(missing)


def test_every_picture_has_words_for_who_cannot_see_it():
    bare = [
        f"{guide}: {path}"
        for guide, images in _images().items()
        for alt, path in images
        if not alt.strip()
    ]
    assert not bare, bare


def test_every_picture_the_script_takes_is_in_a_guide():
    shown = {Path(path).stem for images in _images().values() for _alt, path in images}
    declared = {shot.name for shot in SHOTS}
    assert declared - shown == set(), "not in any guide: " + ", ".join(sorted(declared - shown))
    assert len(declared) == len(SHOTS), "two pictures with one name"


def test_the_folder_holds_only_the_pictures_the_script_takes():
    declared = {f"{shot.name}.png" for shot in SHOTS}
    on_disk = {path.name for path in OUTPUT.iterdir()}
    assert on_disk - declared == set(), "left over: " + ", ".join(sorted(on_disk - declared))
    assert OUTPUT == DOCS / "screenshots"


def test_each_guide_is_linked_from_the_readme():
    readme = (DOCS.parent / "README.md").read_text()
    for guide in GUIDES:
        assert f"docs/{guide}" in readme, guide


def test_no_document_links_to_the_old_partners_guide():
    """docs/guide-partners.md became docs/guide-operator.md."""
    root = DOCS.parent
    texts = [*root.glob("*.md"), *DOCS.glob("*.md")]
    stale = [path.name for path in texts if "guide-partners.md" in path.read_text()]
    assert not stale, stale


def test_the_integrator_guides_signature_check_accepts_what_the_portal_signs():
    """The Python in docs/guide-integrator.md verifies a webhook exactly as the portal signs it,
    and refuses a changed body, another secret and an old timestamp."""
    import time

    from alerts.channels.webhook import sign
    from alerts.webhooks import new_secret

    text = (DOCS / "guide-integrator.md").read_text()
    (snippet,) = re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
    namespace: dict = {}
    exec(textwrap.dedent(snippet), namespace)  # noqa: S102 - our own documentation
    genuine = namespace["genuine"]

    secret, body, now = new_secret(), '{"type": "alert.published"}', int(time.time())
    headers = {
        "webhook-id": "5f0c9a1e-0000-4000-8000-000000000001",
        "webhook-timestamp": str(now),
        "webhook-signature": sign(secret, "5f0c9a1e-0000-4000-8000-000000000001", now, body),
    }
    assert genuine(headers, body.encode(), secret)
    assert not genuine(headers, body.replace("published", "cancelled").encode(), secret)
    assert not genuine(headers, body.encode(), new_secret())
    old = now - 3600
    stale = {**headers, "webhook-timestamp": str(old)}
    stale["webhook-signature"] = sign(secret, headers["webhook-id"], old, body)
    assert not genuine(stale, body.encode(), secret)
