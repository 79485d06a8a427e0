"""Hostile Markdown and the checks that prove none of it survives rendering.

``HOSTILE_INPUTS`` is a list of ``(name, text)`` pairs: feed each text through
every place text is rendered (sections, FAQ answers, initiative answers,
iteration notes, pages) and check the output with ``fragment_problems`` (the
HTML of one rendered text) or ``page_problems`` (a whole page, whose own
``<script src>`` and ``<link>`` tags are fine).

Every input carries the marker ``xss`` in its payload so a page test can also
look for it inside attributes.
"""

from html.parser import HTMLParser

from documents.rendering import ALLOWED_TAGS

HOSTILE_INPUTS: list[tuple[str, str]] = [
    ("script tag", "<script>alert('xss')</script>"),
    ("script tag mixed case", "<ScRiPt src=//evil.example/xss.js></sCrIpT>"),
    ("script inside paragraph", "Hello <script>alert('xss')</script> world"),
    ("img onerror", "<img src=x onerror=alert('xss')>"),
    ("img onerror quoted", '<img src="x" onerror="alert(\'xss\')">'),
    ("svg onload", "<svg onload=alert('xss')><circle r=1 /></svg>"),
    ("svg script", "<svg><script>alert('xss')</script></svg>"),
    ("iframe", "<iframe src=\"javascript:alert('xss')\"></iframe>"),
    ("iframe srcdoc", "<iframe srcdoc=\"<script>alert('xss')</script>\"></iframe>"),
    ("object embed", "<object data=\"javascript:alert('xss')\"></object><embed src=xss.swf>"),
    ("style tag", "<style>body { background: url('javascript:alert(1)') } /* xss */</style>"),
    ("style attribute", '<p style="background:url(javascript:alert(1))">xss</p>'),
    ("div with handlers", '<div onclick="alert(1)" onmouseover="alert(2)">xss</div>'),
    ("form", '<form action="javascript:alert(1)"><button formaction=javascript:alert(1)>xss'),
    ("meta refresh", '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">xss'),
    ("base href", '<base href="javascript:alert(1)//">xss'),
    ("html comment", "<!-- xss --><p>text</p>"),
    ("raw html block", '<div>\n\n*xss* <a href="javascript:alert(1)">x</a>\n\n</div>'),
    ("markdown javascript link", "[xss](javascript:alert(1))"),
    ("markdown javascript link mixed case", "[xss](JaVaScRiPt:alert(1))"),
    ("markdown javascript link with spaces", "[xss](  javascript:alert(1))"),
    ("markdown javascript link tab inside", "[xss](java\tscript:alert(1))"),
    ("markdown entity encoded javascript", "[xss](&#106;&#97;vascript:alert(1))"),
    ("markdown hex entity javascript", "[xss](&#x6A;avascript&#x3A;alert(1))"),
    ("markdown named entity colon", "[xss](javascript&colon;alert(1))"),
    ("markdown percent encoded", "[xss](javascript%3Aalert(1))"),
    ("markdown vbscript link", "[xss](vbscript:msgbox(1))"),
    ("markdown vbscript mixed case", "[xss](VbScRiPt:msgbox(1))"),
    ("markdown data link", "[xss](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)"),
    ("markdown data link mixed case", "[xss](DaTa:text/html,<script>alert(1)</script>)"),
    ("markdown data image", "![xss](data:image/png;base64,iVBORw0KGgo=)"),
    ("markdown data svg image", "![xss](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)"),
    ("markdown image javascript", "![xss](javascript:alert(1))"),
    ("markdown image remote", "![xss](https://evil.example/pixel.png)"),
    ("markdown image title breakout", '![xss](/x.png "a\\" onerror=\\"alert(1)")'),
    ("markdown link title breakout", '[xss](/x "a\\" onmouseover=\\"alert(1)")'),
    ("reference link javascript", "[xss][ref]\n\n[ref]: javascript:alert(1)"),
    ("reference link entity", "[xss][ref]\n\n[ref]: &#106;avascript:alert(1)"),
    ("autolink javascript", "<javascript:alert(1)>"),
    ("autolink vbscript", "<vbscript:msgbox(1)>"),
    ("autolink data", "<data:text/html,<script>alert(1)</script>>"),
    ("autolink mixed case", "<JaVaScRiPt:alert('xss')>"),
    ("email autolink", "<xss@example.com>"),
    ("bare url", "Visit https://example.com/xss now"),
    (
        "table with html",
        "| a | b |\n|---|---|\n| <script>alert('xss')</script> | <img src=x onerror=alert(1)> |",
    ),
    ("table alignment", "| xss | b |\n|:---|---:|\n| 1 | 2 |"),
    ("table with javascript link", "| a |\n|---|\n| [xss](javascript:alert(1)) |"),
    ("code span with html", "`<script>alert('xss')</script>`"),
    ("fenced code with html", "```html\n<script>alert('xss')</script>\n```"),
    ("heading with html", "# <img src=x onerror=alert('xss')>"),
    ("blockquote with html", "> <iframe src=//evil.example></iframe> xss"),
    ("nested emphasis link", "**[xss](javascript:alert(1))**"),
    ("unicode escapes", "[xss](\\u006Aavascript:alert(1))"),
    ("null byte", "[xss](java\x00script:alert(1))"),
    ("newline in scheme", "[xss](java\nscript:alert(1))"),
    (
        "math and template",
        "<math><mtext><style><img src=x onerror=alert(1)></style></mtext></math>",
    ),
    ("noscript breakout", '<noscript><p title="</noscript><img src=x onerror=alert(1)>">xss'),
    ("link with target", '<a href="https://example.com" target="_blank">xss</a>'),
    ("markdown link with html inside", "[<img src=x onerror=alert(1)>](https://example.com)"),
]

DANGEROUS_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "srcdoc", "background"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, attrs))

    def handle_comment(self, data):
        self.comments.append(data)


def _attribute_problems(tag: str, attrs) -> list[str]:
    problems = []
    for name, value in attrs:
        name = name.lower()
        if name.startswith("on"):
            problems.append(f"<{tag}> has event handler {name}")
        if name == "style":
            problems.append(f"<{tag}> has a style attribute")
        if name in URL_ATTRIBUTES and value is not None:
            # Browsers ignore whitespace and control characters inside schemes.
            squashed = "".join(ch for ch in value if ch > " ").lower()
            if squashed.startswith(DANGEROUS_SCHEMES):
                problems.append(f"<{tag} {name}> uses a dangerous URL: {value!r}")
    return problems


def fragment_problems(html: str) -> list[str]:
    """Everything wrong with one rendered text: unknown tags, handlers, styles, bad URLs."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    problems = [f"comment survived: {c!r}" for c in collector.comments]
    for tag, attrs in collector.elements:
        if tag not in ALLOWED_TAGS:
            problems.append(f"<{tag}> is not on the allow-list")
        problems += _attribute_problems(tag, attrs)
        if tag == "img":
            src = dict(attrs).get("src")
            if src is not None and (not src.startswith("/") or src.startswith("//")):
                problems.append(f"<img> loads from outside Workback: {src!r}")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            rel = dict(attrs).get("rel") or ""
            if href.startswith(("http:", "https:", "//")) and "noopener" not in rel:
                problems.append(f"external link without rel: {href!r}")
    return problems


def page_problems(html: str) -> list[str]:
    """Problems on a whole page: inline scripts, frames, handlers, styles, bad URLs."""
    collector = _Collector()
    collector.feed(html)
    collector.close()
    problems = []
    for tag, attrs in collector.elements:
        named = dict(attrs)
        if tag == "script" and not named.get("src"):
            problems.append("inline <script>")
        if tag in {"iframe", "object", "embed", "frame", "frameset", "base", "style"}:
            problems.append(f"<{tag}> on the page")
        if tag == "meta" and (named.get("http-equiv") or "").lower() == "refresh":
            problems.append("<meta http-equiv=refresh> on the page")
        problems += _attribute_problems(tag, attrs)
    return problems
