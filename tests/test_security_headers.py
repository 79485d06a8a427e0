"""The HTTP Observatory's tests, reproduced on Workback served in its production configuration.

MDN's HTTP Observatory grades a site from 100 points, adding or taking away a modifier for
the result of each of its ten tests (content security policy, cookies, cross-origin resource
sharing, redirection, referrer policy, strict transport security, subresource integrity,
X-Content-Type-Options, X-Frame-Options, cross-origin resource policy). Bonuses count only
once the score is 90 or more; 100 and over is A+. Its scanner (npm's
@mdn/mdn-http-observatory, algorithm 4) asks ports 80 and 443 of a host name, so these tests
reproduce its checks and its scoring table on gunicorn with production settings
(``production_web_server``: DEBUG off, HSTS and the https redirect on), reached as a browser
behind the TLS-terminating proxy would. The scanner itself, run once against Workback served
that way with TLS on localhost, gave the same results: A+, 120, ten tests passed.

Beyond the Observatory: the Permissions-Policy header turns off the browser features
Workback does not use, and the app server does not name itself (gunicorn.conf.py).
"""

import http.client
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOST = "workback.example"
ORIGIN = f"https://{HOST}"

# The Observatory's modifier for each result these checks can give.
MODIFIERS = {
    "csp-implemented-with-no-unsafe-default-src-none": 10,
    "csp-implemented-with-no-unsafe": 5,
    "csp-implemented-with-unsafe-inline-in-style-src-only": 0,
    "csp-implemented-with-insecure-scheme-in-passive-content-only": -10,
    "csp-implemented-with-unsafe-eval": -10,
    "csp-implemented-with-unsafe-inline": -20,
    "csp-implemented-with-insecure-scheme": -20,
    "csp-not-implemented": -25,
    "cookies-secure-with-httponly-sessions-and-samesite": 5,
    "cookies-secure-with-httponly-sessions": 0,
    "cookies-not-found": 0,
    "cookies-session-without-secure-flag-but-protected-by-hsts": -10,
    "cookies-without-secure-flag-but-protected-by-hsts": -5,
    "cookies-session-without-httponly-flag": -30,
    "cookies-without-secure-flag": -20,
    "cookies-anticsrf-without-samesite-flag": -20,
    "cookies-session-without-secure-flag": -40,
    "cross-origin-resource-sharing-not-implemented": 0,
    "cross-origin-resource-sharing-implemented-with-restricted-access": 0,
    "cross-origin-resource-sharing-implemented-with-universal-access": -50,
    "redirection-to-https": 0,
    "redirection-off-host-from-http": -5,
    "redirection-not-to-https": -20,
    "redirection-missing": -20,
    "referrer-policy-private": 5,
    "referrer-policy-not-implemented": 0,
    "referrer-policy-unsafe": -5,
    "hsts-implemented-max-age-at-least-six-months": 0,
    "hsts-implemented-max-age-less-than-six-months": -10,
    "hsts-not-implemented": -20,
    "sri-implemented-and-external-scripts-loaded-securely": 5,
    "sri-not-implemented-but-no-scripts-loaded": 0,
    "sri-not-implemented-but-all-scripts-loaded-from-secure-origin": 0,
    "sri-not-implemented-but-external-scripts-loaded-securely": -5,
    "sri-not-implemented-and-external-scripts-not-loaded-securely": -50,
    "x-content-type-options-nosniff": 0,
    "x-content-type-options-not-implemented": -5,
    "x-frame-options-implemented-via-csp": 5,
    "x-frame-options-sameorigin-or-deny": 0,
    "x-frame-options-not-implemented": -20,
    "corp-implemented-with-same-origin": 10,
    "corp-implemented-with-same-site": 10,
    "corp-implemented-with-cross-origin": 0,
    "corp-not-implemented": 0,
    "corp-header-invalid": -5,
}
GRADES = [(100, "A+"), (90, "A"), (85, "A-"), (80, "B+"), (70, "B"), (65, "B-"), (60, "C+")]
GRADES += [(50, "C"), (45, "C-"), (40, "D+"), (30, "D"), (25, "D-"), (0, "F")]
SIX_MONTHS = 15_768_000
UNUSED_FEATURES = {"camera", "microphone", "geolocation", "payment", "usb", "display-capture"}


# --- A browser's view of the server ---------------------------------------------------


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name)


@dataclass
class Visitor:
    """Requests as a browser behind the TLS-terminating proxy makes them, keeping cookies."""

    port: int
    jar: dict[str, str] = field(default_factory=dict)
    set_cookies: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, form: dict | None = None, *, https: bool = True):
        headers = {"Host": HOST}
        if https:
            headers["X-Forwarded-Proto"] = "https"
        if self.jar:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.jar.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": ORIGIN,
                    "Referer": ORIGIN + path,
                }
            )
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for line in response.headers.get_all("Set-Cookie") or []:
            self.set_cookies.append(line)
            for name, morsel in SimpleCookie(line).items():
                self.jar[name] = morsel.value
        return response

    def get(self, path: str, *, https: bool = True) -> Response:
        return self.request("GET", path, https=https)


def _csrf_token(html: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()


@pytest.fixture(scope="module")
def signed_in(production_web_server, django_db_blocker):
    """A visitor who opened the sign-in page, signed in and opened the home page."""
    with django_db_blocker.unblock():
        user = UserFactory()
    visitor = Visitor(production_web_server.port)
    login = visitor.get("/accounts/login/")
    assert login.status == 200, production_web_server.log.read_text()
    signed_in = visitor.request(
        "POST",
        "/accounts/login/",
        {"csrfmiddlewaretoken": _csrf_token(login.body), "login": user.email, "password": PASSWORD},
    )
    assert signed_in.status == 302, signed_in.body
    home = visitor.get("/")
    assert home.status == 200
    return visitor, [login, home]


# --- The Observatory's tests, one function each ------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    policy = {}
    for part in header.split(";"):
        name, *values = part.split() or [""]
        if name and name.lower() not in policy:
            policy[name.lower()] = [value.lower() for value in values]
    return policy


def content_security_policy(response: Response) -> str:
    header = response.header("Content-Security-Policy")
    if not header:
        return "csp-not-implemented"
    policy = _directives(header)
    default = policy.get("default-src")
    scripts = policy.get("script-src", default) or ["*"]
    objects = policy.get("object-src", default) or ["*"]
    styles = policy.get("style-src", default) or ["*"]
    broad = {"*", "http:", "https:", "data:"}
    if "'unsafe-inline'" in scripts and "'strict-dynamic'" not in scripts:
        return "csp-implemented-with-unsafe-inline"
    if broad & set(scripts) or broad & set(objects) or any("http:" in s for s in scripts):
        return "csp-implemented-with-insecure-scheme"
    if "'unsafe-eval'" in scripts:
        return "csp-implemented-with-unsafe-eval"
    if any(value.startswith("http:") for values in policy.values() for value in values):
        return "csp-implemented-with-insecure-scheme-in-passive-content-only"
    if "'unsafe-inline'" in styles:
        return "csp-implemented-with-unsafe-inline-in-style-src-only"
    if default == ["'none'"]:
        return "csp-implemented-with-no-unsafe-default-src-none"
    return "csp-implemented-with-no-unsafe"


def cookies(set_cookies: list[str], *, hsts: bool) -> str:
    if not set_cookies:
        return "cookies-not-found"
    worst = "cookies-secure-with-httponly-sessions-and-samesite"
    for line in set_cookies:
        name = line.split("=", 1)[0].strip().lower()
        attributes = {part.split("=", 1)[0].strip().lower() for part in line.split(";")[1:]}
        if re.search(r";\s*max-age=0\b", line, re.IGNORECASE):
            # A deletion (Django's emptied messages cookie): the scanner's cookie jar, like a
            # browser, keeps nothing of it, so it is not judged.
            continue
        session = "sess" in name or "login" in name
        if "secure" not in attributes:
            result = (
                "cookies-session-without-secure-flag" if session else "cookies-without-secure-flag"
            )
            # HSTS keeps the browser off plain http, which lessens the penalty.
            return f"{result}-but-protected-by-hsts" if hsts else result
        if "csrf" in name and "samesite" not in attributes:
            return "cookies-anticsrf-without-samesite-flag"
        if session and "httponly" not in attributes:
            return "cookies-session-without-httponly-flag"
        if "samesite" not in attributes:
            worst = "cookies-secure-with-httponly-sessions"
    return worst


def cross_origin_resource_sharing(response: Response) -> str:
    allowed = response.header("Access-Control-Allow-Origin")
    if allowed is None:
        return "cross-origin-resource-sharing-not-implemented"
    if allowed.strip() == "*":
        return "cross-origin-resource-sharing-implemented-with-universal-access"
    return "cross-origin-resource-sharing-implemented-with-restricted-access"


def redirection(response: Response) -> str:
    if response.status not in (301, 302, 303, 307, 308):
        return "redirection-missing"
    target = urlsplit(response.header("Location") or "")
    if target.scheme != "https":
        return "redirection-not-to-https"
    if target.hostname != HOST:
        return "redirection-off-host-from-http"
    return "redirection-to-https"


def referrer_policy(response: Response) -> str:
    header = response.header("Referrer-Policy")
    if header is None:
        return "referrer-policy-not-implemented"
    # The browser uses the last policy it knows.
    policy = [value.strip().lower() for value in header.split(",")][-1]
    if policy in {"no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin"}:
        return "referrer-policy-private"
    return "referrer-policy-unsafe"


def strict_transport_security(response: Response) -> str:
    header = response.header("Strict-Transport-Security")
    if header is None:
        return "hsts-not-implemented"
    max_age = int(re.search(r"max-age=(\d+)", header, re.IGNORECASE).group(1))
    if max_age < SIX_MONTHS:
        return "hsts-implemented-max-age-less-than-six-months"
    return "hsts-implemented-max-age-at-least-six-months"


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("src"):
            self.scripts.append(dict(attrs))


def subresource_integrity(response: Response) -> str:
    parser = _Scripts()
    parser.feed(response.body.decode())
    if not parser.scripts:
        return "sri-not-implemented-but-no-scripts-loaded"
    external = [
        script
        for script in parser.scripts
        if urlsplit(script["src"]).netloc not in ("", HOST) or script["src"].startswith("//")
    ]
    if not external:
        return "sri-not-implemented-but-all-scripts-loaded-from-secure-origin"
    if any(urlsplit(script["src"]).scheme != "https" for script in external):
        return "sri-not-implemented-and-external-scripts-not-loaded-securely"
    if all(script.get("integrity") for script in external):
        return "sri-implemented-and-external-scripts-loaded-securely"
    return "sri-not-implemented-but-external-scripts-loaded-securely"


def x_content_type_options(response: Response) -> str:
    if (response.header("X-Content-Type-Options") or "").strip().lower() == "nosniff":
        return "x-content-type-options-nosniff"
    return "x-content-type-options-not-implemented"


def x_frame_options(response: Response) -> str:
    policy = _directives(response.header("Content-Security-Policy") or "")
    if policy.get("frame-ancestors") in (["'none'"], ["'self'"]):
        return "x-frame-options-implemented-via-csp"
    if (response.header("X-Frame-Options") or "").strip().upper() in ("DENY", "SAMEORIGIN"):
        return "x-frame-options-sameorigin-or-deny"
    return "x-frame-options-not-implemented"


def cross_origin_resource_policy(response: Response) -> str:
    header = response.header("Cross-Origin-Resource-Policy")
    if header is None:
        return "corp-not-implemented"
    value = header.strip().lower()
    if value in ("same-origin", "same-site", "cross-origin"):
        return f"corp-implemented-with-{value}"
    return "corp-header-invalid"


def grade(results: list[str]) -> tuple[int, str]:
    """The Observatory's score and grade: bonuses count only from a score of 90."""
    penalties = sum(min(MODIFIERS[result], 0) for result in results)
    bonuses = sum(max(MODIFIERS[result], 0) for result in results)
    score = 100 + penalties
    if score >= 90:
        score += bonuses
    score = max(score, 0)
    return score, next(letter for floor, letter in GRADES if score >= floor)


def observatory(visitor: Visitor, pages: list[Response], plain_http: Response) -> list[str]:
    """Every test's result for the front page the scan starts from and the pages it loads."""
    first = pages[0]
    hsts = strict_transport_security(first)
    return [
        content_security_policy(first),
        cookies(visitor.set_cookies, hsts=hsts != "hsts-not-implemented"),
        cross_origin_resource_sharing(first),
        redirection(plain_http),
        referrer_policy(first),
        hsts,
        # Every page checked, the worst result counted.
        min((subresource_integrity(page) for page in pages), key=MODIFIERS.get),
        x_content_type_options(first),
        x_frame_options(first),
        cross_origin_resource_policy(first),
    ]


# --- The grade --------------------------------------------------------------------------


def test_production_configuration_scores_a_plus_with_every_test_passing(signed_in):
    visitor, pages = signed_in
    plain_http = visitor.get("/accounts/login/", https=False)

    results = observatory(visitor, pages, plain_http)

    assert [result for result in results if MODIFIERS[result] < 0] == []
    assert grade(results) == (120, "A+"), results
    assert set(results) >= {
        "csp-implemented-with-no-unsafe",
        "cookies-secure-with-httponly-sessions-and-samesite",
        "redirection-to-https",
        "referrer-policy-private",
        "hsts-implemented-max-age-at-least-six-months",
        "sri-not-implemented-but-all-scripts-loaded-from-secure-origin",
        "x-frame-options-implemented-via-csp",
        "corp-not-implemented",
    }


def test_the_session_and_csrf_cookies_were_both_checked(signed_in):
    visitor, _ = signed_in
    names = {line.split("=", 1)[0] for line in visitor.set_cookies}

    assert {"csrftoken", "sessionid"} <= names


def test_the_checks_catch_what_would_lower_the_grade():
    # The reproduction can fail: each weakness it is looking for is found.
    loose = Response(200, http.client.HTTPMessage(), b'<script src="http://cdn.example/x.js">')
    loose.headers["Content-Security-Policy"] = (
        "default-src 'self'; script-src 'self' 'unsafe-inline'"
    )
    loose.headers["Referrer-Policy"] = "unsafe-url"
    loose.headers["Strict-Transport-Security"] = "max-age=86400"
    loose.headers["Access-Control-Allow-Origin"] = "*"
    loose.headers["Cross-Origin-Resource-Policy"] = "anyone"
    cookies_set = ["sessionid=1; Path=/; Secure; SameSite=Lax", "csrftoken=2; Path=/; Secure"]
    redirect = Response(301, http.client.HTTPMessage(), b"")
    redirect.headers["Location"] = "http://workback.example/"

    results = [
        content_security_policy(loose),
        cookies(cookies_set, hsts=True),
        cross_origin_resource_sharing(loose),
        redirection(redirect),
        referrer_policy(loose),
        strict_transport_security(loose),
        subresource_integrity(loose),
        x_content_type_options(loose),
        x_frame_options(loose),
        cross_origin_resource_policy(loose),
    ]

    assert results == [
        "csp-implemented-with-unsafe-inline",
        "cookies-session-without-httponly-flag",
        "cross-origin-resource-sharing-implemented-with-universal-access",
        "redirection-not-to-https",
        "referrer-policy-unsafe",
        "hsts-implemented-max-age-less-than-six-months",
        "sri-not-implemented-and-external-scripts-not-loaded-securely",
        "x-content-type-options-not-implemented",
        "x-frame-options-not-implemented",
        "corp-header-invalid",
    ]
    assert grade(results)[1] == "F"
    # A deleted cookie is not kept, so it is not judged; a kept one without Secure is.
    deleted = 'messages=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/'
    assert cookies([deleted], hsts=True) == "cookies-secure-with-httponly-sessions-and-samesite"
    kept = ["messages=x; Path=/; SameSite=Lax"]
    assert cookies(kept, hsts=False) == "cookies-without-secure-flag"
    assert cookies(kept, hsts=True) == "cookies-without-secure-flag-but-protected-by-hsts"


def test_an_external_script_passes_only_with_integrity_over_https():
    with_sri = Response(
        200,
        http.client.HTTPMessage(),
        b'<script src="https://cdn.example/x.js" integrity="sha384-abc"></script>',
    )
    without = Response(200, http.client.HTTPMessage(), b'<script src="https://cdn.example/x.js">')

    assert subresource_integrity(with_sri) == "sri-implemented-and-external-scripts-loaded-securely"
    assert (
        subresource_integrity(without) == "sri-not-implemented-but-external-scripts-loaded-securely"
    )


# --- Beyond the Observatory ---------------------------------------------------------------


def _permissions(header: str) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in header.split(","))


def test_pages_turn_off_the_browser_features_workback_does_not_use(signed_in):
    _, pages = signed_in

    for page in pages:
        policy = _permissions(page.header("Permissions-Policy") or "")
        assert {feature: policy.get(feature) for feature in UNUSED_FEATURES} == dict.fromkeys(
            UNUSED_FEATURES, "()"
        )
        # Nothing is allowed to anyone: every feature named is off.
        assert set(policy.values()) == {"()"}


def test_the_app_server_does_not_name_itself(signed_in):
    visitor, pages = signed_in
    redirect = visitor.get("/accounts/login/", https=False)
    missing = visitor.get("/no-such-page/")

    for response in [*pages, redirect, missing]:
        assert response.header("Server") is None, response.header("Server")
        assert "gunicorn" not in str(response.headers).lower()
