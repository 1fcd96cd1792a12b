"""
A real browser for the page tests: Debian's Chromium driven by Playwright,
against a live server holding the seed dataset.

One browser per test module, one page for visitors and one for a maintainer,
reused from test to test: each page under test is loaded once and resized
through the widths. The seed dataset is put in place once per module
(``tests/seed.py``: copied on SQLite in memory, imported otherwise). When
/usr/bin/chromium is missing the tests are skipped with that reason
(`.ci/run` installs it with apt).
"""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from tests.seed import import_seed, seed_in_place

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # V8's tiers, not what it computes: each page is a new document, where
    # axe-core's code runs four times and is compiled anew, so optimising it
    # (TurboFan, on background threads) costs more than it saves; baseline code
    # (Sparkplug) from the first call. The same axe-core results, node by node.
    # On 1 Dec 2026, tests/browser on two workers, three rounds interleaved:
    # Chromium's CPU 52.0-56.0 s against 54.9-61.4 s without (12 pages alone,
    # four rounds: 16.3-18.7 s against 18.4-21.4 s); the run's time hardly moves.
    "--js-flags=--no-opt --always-sparkplug",
]
#: The widths every page is checked at: small phones, phones, 200 % zoom of 1280, desktop.
WIDTHS = (320, 360, 640, 1280)
HEIGHT = 800
ADMIN_PASSWORD = "browser-tests-only"  # noqa: S105 (a throwaway account in the test database)

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) "
    "to run the browser tests; .ci/run does this",
)


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """
    Chromium for one test module, stopped at the module's end: Playwright's
    event loop running in this thread would make Django refuse the ORM calls of
    the next modules. Started after the test database exists, and before the
    seed import (``site``), so that the import's transaction and the tests'
    belong to the same context (Django's connections are context-local).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def site(browser, django_db_setup, django_db_blocker):
    """The seed dataset served by a live server; yields the server's base URL."""
    from pytest_django.live_server_helper import LiveServer

    # Playwright's sync API keeps an asyncio loop running in this thread, and
    # Django refuses ORM calls from a thread with a running loop. The only ORM
    # calls made here are the fixtures' set-up and tear-down, never concurrent
    # with a request; the variable is unset again when the module ends (a
    # subprocess started by a later test must not inherit it).
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock():
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with seed_in_place(connection) as in_place:
            if in_place:
                # SQLite in memory: the server thread shares this connection.
                # What the tests write (the maintainer's account) is rolled
                # back at the end, and the database as it was put back after.
                with transaction.atomic():
                    server = LiveServer("localhost")
                    yield server.url
                    server.stop()
                    transaction.set_rollback(True)
            else:
                # The server has its own connection (PostgreSQL): commit, then
                # empty the database for the next module, as TransactionTestCase does.
                migrated = connection.creation.serialize_db_to_string()
                import_seed()
                server = LiveServer("localhost")
                yield server.url
                server.stop()
                _empty_to_migrated_state(migrated)
                # Inside sync_playwright() Django hands out other connection
                # objects (its greenlet has its own context): close this one,
                # or it stays open and PostgreSQL refuses to drop the test
                # database at the end of the run ("being accessed by other users").
                connection.close()


def _empty_to_migrated_state(migrated):
    """
    Empty the database back to what migrations left (``migrated``, serialized
    before the module's import), as TransactionTestCase's serialized rollback
    does: a plain flush would also drop the rows data migrations created (the
    editors' and reviewers' groups and their permissions), and the permissions
    it re-creates would collide with a later test's serialized rollback.
    """
    call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
    connection.creation.deserialize_db_from_string(migrated)


class Viewer:
    """
    One browser page, loaded once per page under test and resized through the
    widths; remembers the console errors since the last look.
    """

    def __init__(self, page):
        self.page = page
        self.width = None
        self.errors = []
        self.url = None
        self.expected_status = 200
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def _console(self, message):
        if message.type != "error":
            return
        # The browser reports the page's own expected 404 as a console error.
        own_status = message.location.get("url") == self.url and self.expected_status != 200
        if not own_status:
            self.errors.append(message.text)

    def visit(self, url, expected_status=200):
        """Load ``url`` at the current width (axe-core comes with every document)."""
        self.errors.clear()
        self.url = url
        self.expected_status = expected_status
        return self.page.goto(url, wait_until="load")

    def resize(self, width):
        """
        The same page at another width, as a window resized: media queries,
        layout and resize handlers run again (a frame is let pass for the
        handlers). A fresh load at each width cost a quarter of the browser's
        time; when this was introduced every page was checked both ways, with
        the same axe-core results (passes included, node by node), overflow,
        skip link and console at every width.
        """
        self.width = width
        self.page.set_viewport_size({"width": width, "height": HEIGHT})
        self.page.evaluate("() => new Promise(done => requestAnimationFrame(() => done()))")


#: axe-core as published (``axe-core/README.md`` says where from and how to upgrade).
AXE = Path(__file__).with_name("axe-core") / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"


def _axe_source():
    """The text of axe-core, refused when it is not the file ``axe-core/README.md`` names."""
    source = AXE.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    if digest != AXE_SHA256:
        pytest.fail(f"{AXE} has sha256 {digest}, not {AXE_SHA256} (axe-core/README.md)")
    return source.decode()


@pytest.fixture(scope="module")
def admin_session(site, django_db_blocker):
    """The session cookie of a maintainer signed in with a second factor (tests/staff.py)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from tests.staff import sign_in

    with django_db_blocker.unblock():
        user = get_user_model().objects.create_superuser(
            "browser", "browser@example.org", ADMIN_PASSWORD
        )
        client = Client()
        sign_in(client, user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": site,
    }


@pytest.fixture(scope="module")
def viewers(browser, site, request):
    """
    ``viewers["public"]`` for anonymous visitors; ``viewers["admin"]`` (signed in
    as a maintainer) is opened on first use. One page each, resized from width
    to width (``Viewer.resize``).
    """
    contexts = []
    axe = _axe_source()

    def open_viewer(login):
        context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
        # axe-core as an init script, sent once and run in every document the
        # context loads (scripts of the browser's own, which the pages' CSP
        # does not restrict). On 1 Dec 2026, over 60 page loads side by side,
        # this took 9.6-9.9 s against 12.4-12.8 s for sending it with
        # evaluate() after each load.
        context.add_init_script(axe)
        contexts.append(context)
        if login:
            context.add_cookies([request.getfixturevalue("admin_session")])
        return Viewer(context.new_page())

    class Viewers(dict):
        def __missing__(self, key):
            self[key] = open_viewer(login=key == "admin")
            return self[key]

    yield Viewers()
    for context in contexts:
        context.close()
