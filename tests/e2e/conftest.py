"""Browser tests: Debian's Chromium driven by Playwright, every page checked with axe-core.

The browser is the system's ``chromium`` (``apt install chromium``); Playwright never
downloads one. Each page a test opens fails the test on a console error, an uncaught
script error, a Content-Security-Policy violation or a 5xx response.
"""

import os
import re
import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from axe_playwright_python.base import AxeResults
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

# Playwright's sync API runs an asyncio event loop in the test thread, so Django sees
# a running loop and refuses ORM calls from the test (SynchronousOnlyOperation), even
# though the test itself is plain synchronous code and the loop never runs Django.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
]
BLOCKING_IMPACTS = {"serious", "critical"}
DEFAULT_TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        message = "Browser tests need Debian's Chromium: apt-get install chromium"
        if os.environ.get("CI"):
            # CI installs Chromium; a missing browser there is a broken run, not a skip.
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def _watch(page: Page, problems: list[str]) -> None:
    """Record everything on ``page`` that means the page is broken."""

    def on_console(message):
        # Chromium reports CSP violations and failed resource loads as console errors;
        # the location names the resource that failed to load.
        if message.type == "error":
            where = message.location.get("url") or page.url
            problems.append(f"console error at {where}: {message.text}")

    def on_response(response):
        if response.status >= 500:
            problems.append(f"HTTP {response.status} for {response.url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"script error on {page.url}: {error}"))
    page.on("response", on_response)


class Browsing:
    """Opens browser contexts on the live server and collects what their pages report.

    Call it (``new_context(**options)``) for a fresh context: its own cookies, so
    two contexts are two people. Options go to Playwright's ``new_context``.
    """

    def __init__(self, browser: Browser, base_url: str):
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[BrowserContext] = []
        self.problems: list[str] = []

    def __call__(self, **options) -> BrowserContext:
        options.setdefault("base_url", self.base_url)
        options.setdefault("viewport", {"width": 1280, "height": 800})
        options.setdefault("locale", "en-GB")
        options.setdefault("timezone_id", "UTC")
        context = self.browser.new_context(**options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        context.on("page", lambda page: _watch(page, self.problems))
        # A violation Chromium might not log still fires this DOM event; init scripts
        # run outside the page's CSP, so this listener is not itself blocked.
        context.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' blocked ' + e.blockedURI));"
        )
        self.contexts.append(context)
        return context

    def assert_clean(self) -> None:
        if self.problems:
            problems, self.problems[:] = list(self.problems), []
            pytest.fail("The browser reported problems:\n  " + "\n  ".join(problems), pytrace=False)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def new_context(
    request: pytest.FixtureRequest, browser: Browser, live_server
) -> Iterator[Browsing]:
    """``new_context(**options)`` opens a browser context on the live server.

    The test fails if any page of any context logs a console error, throws a
    script error, violates the Content-Security-Policy or gets a 5xx response.
    When the test fails, every open page is saved as a ``failure`` screenshot.
    """
    browsing = Browsing(browser, live_server.url)
    yield browsing
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        pages = [page for context in browsing.contexts for page in context.pages]
        for number, page in enumerate(pages, start=1):
            page.screenshot(path=str(_screenshot_path(request, f"failure-{number}")))
    browsing.close()
    browsing.assert_clean()


@pytest.fixture
def fast_hashing(settings) -> None:
    """Sign-ups and sign-ins hash quickly: the browser journeys are not about hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def links_to_live_server(settings, live_server) -> None:
    """E-mailed links point at the live server, over plain HTTP as it serves."""
    settings.SITE_URL = live_server.url
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"


@pytest.fixture
def page(new_context: Browsing) -> Page:
    """A page in a fresh browser context; see ``new_context``."""
    return new_context().new_page()


def _format_violations(url: str, violations: list[dict]) -> str:
    report = AxeResults({"violations": violations}).generate_report()
    return f"Accessibility violations on {url}:\n{report}"


class MinorAccessibilityIssue(UserWarning):
    """An axe-core violation of impact moderate or minor: reported, not failing."""


@pytest.fixture
def check_a11y(new_context: Browsing) -> Iterator[Callable[[Page], None]]:
    """``check_a11y(page)`` runs axe-core on the page as it is now.

    Fails on any violation of impact serious or critical, listing each rule with
    the elements it found. Lesser violations do not fail the test; they appear in
    pytest's warnings summary so they stay visible. It first fails if the browser
    has reported a problem (see ``new_context``), so that failure names this page.
    """
    axe = Axe()
    minor: list[tuple[str, list[dict]]] = []

    def check(page: Page) -> None:
        new_context.assert_clean()
        violations = axe.run(page).response["violations"]
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        if blocking:
            pytest.fail(_format_violations(page.url, blocking), pytrace=False)
        if violations:
            # Only moderate and minor ones are left here.
            minor.append((page.url, violations))

    yield check
    for url, violations in minor:
        warnings.warn(_format_violations(url, violations), MinorAccessibilityIssue, stacklevel=1)


def _screenshot_path(request: pytest.FixtureRequest, step: str) -> Path:
    directory = request.config.rootpath / "test-artifacts" / "screenshots"
    directory.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^\w.-]+", "_", request.node.name)
    return directory / f"{test_name}-{step}.png"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """``screenshot(page, step)`` saves test-artifacts/screenshots/<test>-<step>.png."""

    def take(page: Page, step: str) -> Path:
        path = _screenshot_path(request, step)
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the test, so fixtures can tell that it failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
