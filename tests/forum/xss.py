"""A corpus of classic XSS payloads: script tags, event handlers, javascript: links in
Markdown, SVG, entity-encoded and mixed-case variants, CSS and data: URLs."""

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/xss.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)>",
    "<img src=\"javascript:alert('XSS')\">",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<svg/onload=alert('XSS')>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<a href="javascript:alert(1)">click</a>',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "[click me](javascript&#58;alert(1))",
    "[click me](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))",
    "[click me](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click me](vbscript:msgbox(1))",
    "![pic](javascript:alert(1))",
    "![pic](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<p style="color:red" onclick="alert(1)">styled</p>',
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    '<a href="&#x6A;avascript:alert(1)">entity</a>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '[x]("javascript:alert(1)")',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<video><source onerror="alert(1)"></video>',
    "<marquee onstart=alert(1)>",
]

SAFE_TAGS = {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
SAFE_ATTRIBUTES = {"href", "src", "alt", "title", "rel", "class", "start", "loading"}
SAFE_URL = ("https://", "http://", "mailto:", "/", "#")


def unsafe_parts(html: str) -> list[str]:
    """Elements, attributes and URLs in ``html`` that a browser could run or style.

    Text content is not inspected: escaped text such as ``&lt;script&gt;`` is harmless.
    """
    from bs4 import BeautifulSoup

    problems = []
    for element in BeautifulSoup(html, "html.parser").find_all(True):
        if element.name not in SAFE_TAGS:
            problems.append(f"tag <{element.name}>")
        for name, value in element.attrs.items():
            if name not in SAFE_ATTRIBUTES:
                problems.append(f"attribute {name} on <{element.name}>")
            if name in ("href", "src"):
                cleaned = "".join(str(value).split()).lower()
                if not cleaned.startswith(SAFE_URL) or cleaned.startswith("//"):
                    problems.append(f"url {value!r}")
    return problems


def assert_safe_html(html: str) -> None:
    assert unsafe_parts(html) == [], html
