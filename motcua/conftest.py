"""Browser test harness: Playwright (sync API) driving Debian's Chromium against pytest-django's live server.

Every page a browser test loads goes through `CheckedPage.check_page()`: axe-core (WCAG 2.0/2.1 A and AA) at
375 px and 1280 px, then a full-page screenshot at both widths in
test-artifacts/screenshots/<test-name>/<page-name>-375.png and -1280.png. The navigation helpers
(`visit`, `click_and_wait`) call it for you, and a test that loads a page some other way and does not call
`check_page()` fails at teardown, so no page can skip the check.

    @pytest.mark.browser
    def test_home(site):
        site.visit("/", "home")
        site.click_and_wait(site.page.get_by_role("link", name="Hộ tịch"), "field")
        assert site.page.locator("h1").inner_text() == "Thủ tục hành chính"
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
AXE_JS = REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS_DIR = REPO_ROOT / "test-artifacts" / "screenshots"
WIDTHS = (375, 1280)
DEFAULT_VIEWPORT = {"width": 1280, "height": 800}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.slice(0, 3).map(n => n.target.join(' ')),
    count: v.nodes.length,
  }));
}"""

# WCAG 2.1 SC 1.4.10 (Reflow, AA), which axe-core does not test: at phone width nothing may need sideways
# scrolling. Reported like an axe violation, naming the widest elements that stick out.
REFLOW_CHECK = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > width + 1 && getComputedStyle(e).position !== 'fixed')
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > width + 1));
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
    + (typeof e.className === 'string' && e.className.trim() ? '.' + e.className.trim().split(/\\s+/).join('.') : '');
  return [{
    id: 'reflow', impact: 'serious', help: 'Content must reflow without horizontal scrolling (WCAG 1.4.10)',
    helpUrl: 'https://www.w3.org/WAI/WCAG21/Understanding/reflow.html',
    targets: wide.slice(0, 3).map(name), count: wide.length,
  }];
}"""


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(items):
    # A test that drives the browser is a browser test, whether or not it says so: `-m "not browser"` skips it.
    for item in items:
        if {"site", "browser_page", "chromium"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole session (never a downloaded browser)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's Chromium with `make system-deps` (apt-get install chromium)"
        if _under_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    # The sync API keeps an asyncio loop on this thread; Django's ORM (the test database set-up and flush on
    # this thread) would otherwise refuse to run. Set for as long as the loop exists.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(chromium):
    """A fresh context (cookies, language) per test, with the site's Content-Security-Policy in force."""
    context = chromium.new_context(locale="vi-VN", viewport=DEFAULT_VIEWPORT, service_workers="block")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` (or `make node-deps`) in {REPO_ROOT}.", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "page"


class AccessibilityViolations(AssertionError):
    pass


class CheckedPage:
    """A Playwright page bound to the live server; every page it loads is axe-checked and screenshot.

    `visit()` and `click_and_wait()` navigate and check. Anything else is available on `.page`; if a test
    loads a page through `.page` directly it must call `check_page(name)` itself, or it fails at teardown.
    """

    def log_in(self, user) -> None:
        """Switch the browser to `user`'s session (a force-logged-in test client's; the login pages have their own
        browser tests), or to an anonymous visitor's with None."""
        from django.conf import settings as django_settings
        from django.test import Client

        self.page.context.clear_cookies()
        if user is None:
            return
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        self.page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": self.base_url}])

    def __init__(self, page, base_url: str, axe_source: str, screenshot_dir: Path):
        self.page = page
        self.base_url = base_url.rstrip("/") + "/"
        self.axe_source = axe_source
        self.screenshot_dir = screenshot_dir
        self.names: set[str] = set()
        self.unchecked_urls: list[str] = []
        self.page_errors: list[str] = []
        page.on("load", self._on_load)
        page.on("pageerror", lambda error: self.page_errors.append(f"{page.url}: {error}"))
        page.on("console", self._on_console)

    def _on_console(self, message) -> None:
        # Chromium reports every resource or inline code the Content-Security-Policy blocked as a console error.
        if message.type == "error" and "Content Security Policy" in message.text:
            self.page_errors.append(f"{self.page.url}: {message.text}")

    def _on_load(self, page) -> None:
        self.unchecked_urls.append(page.url)

    def url(self, path: str = "/") -> str:
        return urljoin(self.base_url, path.lstrip("/"))

    @property
    def path(self) -> str:
        """The current path with its query string, e.g. '/procedures/?level=commune'."""
        parts = urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def visit(self, path: str, name: str | None = None, *, status: int = 200):
        """Open a path of the live server, assert the HTTP status, then run the checks. Returns the response."""
        response = self.page.goto(self.url(path), wait_until="load")
        assert response is not None, f"no response for {path}"
        assert response.status == status, f"GET {path}: HTTP {response.status}, expected {status}"
        self.check_page(name or path)
        return response

    def click_and_wait(self, target, name: str | None = None, *, status: int = 200):
        """Click a link or submit button (a Locator or a selector), wait for the new page, then run the checks."""
        locator = self.page.locator(target) if isinstance(target, str) else target
        with self.page.expect_navigation(wait_until="load") as navigation:
            locator.click()
        response = navigation.value
        if response is not None:  # None for a same-document navigation
            assert response.status == status, f"{self.page.url}: HTTP {response.status}, expected {status}"
        self.check_page(name or self.path)
        return response

    def check_page(self, name: str) -> None:
        """axe-core at both widths, then full-page screenshots at both widths; fails on any violation."""
        self.page.wait_for_load_state("load")
        name = self._unique(_slug(name))
        original = self.page.viewport_size or DEFAULT_VIEWPORT
        if not self.page.evaluate("() => typeof window.axe !== 'undefined'"):
            # Evaluated through the DevTools protocol, which the page's CSP does not govern (a <script> would be
            # blocked), so the tests see the site with its real policy.
            self.page.evaluate(self.axe_source)
        violations: dict[str, dict] = {}
        try:
            self.screenshot_dir.mkdir(parents=True, exist_ok=True)
            for width in WIDTHS:
                self.page.set_viewport_size({"width": width, "height": original["height"]})
                found = self.page.evaluate(AXE_RUN, AXE_TAGS)
                if width == min(WIDTHS):
                    found += self.page.evaluate(REFLOW_CHECK)
                for violation in found:
                    seen = violations.setdefault(violation["id"], {**violation, "widths": []})
                    seen["widths"].append(width)
                self.page.screenshot(path=str(self.screenshot_dir / f"{name}-{width}.png"), full_page=True)
        finally:
            self.page.set_viewport_size(original)
        # Cleared last: by now the "load" event of this page has surely been delivered.
        self.unchecked_urls.clear()
        if violations:
            lines = [f"axe-core found {len(violations)} WCAG violation(s) on {self.page.url} ({name}):"]
            for v in violations.values():
                widths = "/".join(f"{w}px" for w in v["widths"])
                lines.append(f"  - {v['id']} [{v['impact']}] {v['help']} ({v['count']} node(s), at {widths})")
                lines.extend(f"      at {target}" for target in v["targets"])
                lines.append(f"      see {v['helpUrl']}")
            raise AccessibilityViolations("\n".join(lines))

    def _unique(self, name: str) -> str:
        candidate, n = name, 1
        while candidate in self.names:
            n += 1
            candidate = f"{name}-{n}"
        self.names.add(candidate)
        return candidate

    def assert_all_pages_checked(self) -> None:
        assert not self.page_errors, "JavaScript or Content-Security-Policy errors:\n" + "\n".join(self.page_errors)
        assert not self.unchecked_urls, (
            "pages were loaded without the accessibility check (use site.visit / site.click_and_wait, "
            "or call site.check_page(name) after the navigation): " + ", ".join(self.unchecked_urls)
        )


@pytest.fixture
def site(request, browser_page, live_server, axe_source):
    """The live site in a fresh browser page: `site.visit(path, name)`, `site.click_and_wait(locator, name)`."""
    screenshot_dir = SCREENSHOTS_DIR / _slug(request.node.name)
    shutil.rmtree(screenshot_dir, ignore_errors=True)
    checked = CheckedPage(browser_page, live_server.url, axe_source, screenshot_dir)
    yield checked
    # Only when the test itself passed: otherwise its own failure is the one worth reading.
    report = getattr(request.node, "_browser_call_report", None)
    if report is None or report.passed:
        checked.assert_all_pages_checked()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item._browser_call_report = report
    return report


# Rows that data migrations load and the product needs (schemes, rules, unit costs): each module's ensure()
# loads what is missing and never overwrites.
REFERENCE_DATA = (
    "motcua.wallet.defaults",
    "motcua.feedback.defaults",
    "motcua.regulations.defaults",
    "motcua.metrics.qd766",
)


_tables_flushed = False


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request, django_db_blocker):
    """A transactional test (a browser test's live server) ends by emptying every table, migration-loaded rows
    included: the next test that uses the database loads them back first, so that no test depends on which ran
    before it."""
    global _tables_flushed
    uses = set(request.fixturenames)
    wants_db = bool({"db", "transactional_db", "live_server", "django_db_setup"} & uses)
    if _tables_flushed and (wants_db or request.node.get_closest_marker("django_db")):
        import importlib

        with django_db_blocker.unblock():
            for module in REFERENCE_DATA:
                importlib.import_module(module).ensure()
        _tables_flushed = False
    yield
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & uses or (marker and marker.kwargs.get("transaction")):
        _tables_flushed = True


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts and ends in Vietnamese: a request in English must not leak into the next test."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.activate(django_settings.LANGUAGE_CODE)
