"""Assessment bodies are Markdown rendered to HTML that is safe to show anywhere."""

from threats.markdown import render_markdown


def test_markdown_becomes_html():
    html = render_markdown("## Beeld\n\n- *een*\n- **twee**\n\n[NCTV](https://www.nctv.nl)")
    assert "<h2>Beeld</h2>" in html
    assert "<li><em>een</em></li>" in html and "<strong>twee</strong>" in html
    assert '<a href="https://www.nctv.nl" rel="noopener noreferrer nofollow">NCTV</a>' in html


def test_tables_survive():
    html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |")
    assert "<table>" in html and "<td>1</td>" in html


def test_scripts_and_event_handlers_are_stripped():
    html = render_markdown(
        'Tekst <script>alert("x")</script>\n\n<img src="x" onerror="alert(1)">\n\n'
        '<p onclick="steal()">klik</p>\n\n<iframe src="https://evil.example"></iframe>'
    )
    assert "<script" not in html and "alert(" not in html
    assert "onerror" not in html and "onclick" not in html
    assert "<img" not in html and "<iframe" not in html
    assert "klik" in html


def test_javascript_links_lose_their_target():
    html = render_markdown("[klik](javascript:alert(1)) <a href='JaVaScRiPt:alert(2)'>x</a>")
    assert "javascript" not in html.lower()


def test_styles_are_stripped():
    html = render_markdown('<span style="position:fixed">x</span><style>body{}</style>')
    assert "style" not in html and "body{}" not in html


def test_empty_text_is_empty_html():
    assert render_markdown("") == render_markdown("   ") == ""
