"""
`manage.py check_source_links` and `registry.linkcheck`, against a local HTTP
server on 127.0.0.1 (never the internet). The checker refuses loopback
addresses unless told otherwise; the ``server`` fixture allows them, and only
them, for the tests that talk to it.
"""

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from registry import linkcheck
from registry.models import Source
from tests.factories import SourceFactory

TIMEOUT = 0.5


class Handler(BaseHTTPRequestHandler):
    """Each path is one kind of server behaviour the checker must cope with."""

    def do_HEAD(self):
        self._answer("HEAD")

    def do_GET(self):
        self._answer("GET")

    def _answer(self, method):
        server = self.server
        with server.lock:
            server.requests.append((method, self.path, self.headers.get("User-Agent")))
        # The checker may give up waiting (the slow path) and hang up.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(method)

    def _route(self, method):
        path = self.path
        if path == "/ok":
            self._send(200)
        elif path == "/missing":
            self._send(404)
        elif path == "/server-error":
            self._send(500)
        elif path == "/no-head":
            self._send(405 if method == "HEAD" else 200)
        elif path == "/head-forbidden":
            self._send(403 if method == "HEAD" else 200)
        elif path == "/slow":
            time.sleep(TIMEOUT * 3)
            self._send(200)
        elif path == "/pause":
            self._pause()
            self._send(200)
        elif path == "/moved":
            self._send(301, location="/ok")
        elif path == "/moved-to-missing":
            self._send(302, location="/missing")
        elif path == "/moved-to-file":
            self._send(302, location="file:///etc/passwd")
        elif path == "/moved-to-ftp":
            self._send(302, location="ftp://127.0.0.1/synthetic")
        elif path == "/loop":
            self._send(302, location="/loop")
        elif path == "/moved-to-private":
            self._send(302, location="http://10.0.0.1/synthetic")
        elif path == "/moved-to-metadata":
            self._send(302, location="http://169.254.169.254/latest/meta-data/")
        else:
            self._send(404)

    def _pause(self):
        """
        Hold the request for a moment, counting how many are held at once.
        The count drops before the answer goes out: a client can only send its
        next request after reading this answer, so a bounded client can never
        be seen with more held requests than it has workers.
        """
        server = self.server
        with server.lock:
            server.in_flight += 1
            server.max_in_flight = max(server.max_in_flight, server.in_flight)
        time.sleep(0.15)
        with server.lock:
            server.in_flight -= 1

    def _send(self, status, location=None):
        body = b"Synthetic page body. " * 1000  # longer than the checker reads
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch, settings):
    settings.LINKCHECK_ALLOW_LOOPBACK = True
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.lock = threading.Lock()
    httpd.requests = []
    httpd.in_flight = 0
    httpd.max_in_flight = 0
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    httpd.url = lambda path: f"http://127.0.0.1:{httpd.server_address[1]}{path}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def check(server, path):
    return linkcheck.check_url(server.url(path), timeout=TIMEOUT)


def test_working_link_is_ok_after_a_head_request_only(server):
    result = check(server, "/ok")

    assert (result.status, result.ok, result.error) == (200, True, "")
    assert [method for method, _path, _ua in server.requests] == ["HEAD"]


def test_missing_page_is_broken_with_its_status(server):
    result = check(server, "/missing")

    assert (result.status, result.ok) == (404, False)
    assert result.error.startswith("HTTP 404")


def test_server_error_is_broken(server):
    assert check(server, "/server-error").status == 500


@pytest.mark.parametrize("path", ["/no-head", "/head-forbidden"])
def test_server_that_refuses_head_is_asked_with_get(server, path):
    result = check(server, path)

    assert (result.status, result.ok) == (200, True)
    assert [method for method, _path, _ua in server.requests] == ["HEAD", "GET"]


def test_slow_server_times_out_as_broken(server):
    started = time.monotonic()

    result = check(server, "/slow")

    assert result.ok is False
    assert result.status is None
    assert "No answer within 0.5 s" in result.error
    assert time.monotonic() - started < TIMEOUT * 2 + 1  # HEAD and GET, each bounded


def test_redirects_are_followed_keeping_head(server):
    result = check(server, "/moved")

    assert (result.status, result.ok) == (200, True)
    assert [(m, p) for m, p, _ua in server.requests] == [("HEAD", "/moved"), ("HEAD", "/ok")]


def test_redirect_to_a_missing_page_is_broken(server):
    assert (check(server, "/moved-to-missing").status, check(server, "/loop").ok) == (404, False)


@pytest.mark.parametrize("path", ["/moved-to-file", "/moved-to-ftp"])
def test_redirect_to_a_non_web_address_is_not_followed(server, path):
    result = check(server, path)

    assert (result.status, result.ok) == (302, False)
    assert [p for _m, p, _ua in server.requests] == [path]  # never followed


def test_refused_connection_is_broken_not_an_exception():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port any more.

    result = linkcheck.check_url(f"http://127.0.0.1:{port}/", timeout=TIMEOUT, allow_loopback=True)

    assert result.ok is False
    assert result.error.startswith("Could not connect")


@pytest.mark.parametrize("url", ["ftp://example.org/x", "file:///etc/passwd", "", "nonsense"])
def test_non_web_addresses_are_never_fetched(url):
    result = linkcheck.check_url(url, timeout=TIMEOUT)

    assert (result.ok, result.error) == (False, "Not an http or https address")


def test_requests_carry_a_polite_user_agent(server, settings):
    settings.REGISTER_CONTACT_URL = "https://register.example/contact/"

    check(server, "/ok")

    ((_method, _path, agent),) = server.requests
    assert agent.startswith("FRRegisterLinkChecker/1.0 (+https://register.example/contact/;")
    assert settings.REGISTER_NAME in agent


def test_loopback_is_refused_by_default_and_nothing_is_requested(server, settings):
    settings.LINKCHECK_ALLOW_LOOPBACK = False

    result = check(server, "/ok")

    assert (result.status, result.ok, result.refused) == (None, False, True)
    assert result.error.startswith("Refused: 127.0.0.1 resolves to 127.0.0.1, a loopback address")
    assert server.requests == []


def test_production_settings_do_not_allow_loopback():
    assert linkcheck.loopback_allowed() is False


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://localhost:8000/", "a loopback address"),  # a name, resolved first
        ("http://2130706433/", "a loopback address"),  # 127.0.0.1 written as a number
        ("http://[::1]:6379/", "a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address"),
        ("https://10.0.0.1/", "a private address"),
        ("http://192.168.1.1/admin", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://0.0.0.0:22/", "an unspecified address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://100.64.0.1/", "a non-public address"),  # carrier-grade NAT
    ],
)
def test_non_public_addresses_are_refused_after_resolution(url, kind):
    result = linkcheck.check_url(url, timeout=TIMEOUT)

    assert (result.ok, result.refused) == (False, True)
    assert kind in result.error
    assert result.error.startswith("Refused:")


def test_loopback_permission_does_not_open_private_networks():
    result = linkcheck.check_url("http://10.0.0.1/", timeout=TIMEOUT, allow_loopback=True)

    assert result.refused is True


@pytest.mark.parametrize("path", ["/moved-to-private", "/moved-to-metadata"])
def test_a_redirect_to_a_non_public_address_is_refused_not_followed(server, path):
    result = check(server, path)

    assert (result.ok, result.refused) == (False, True)
    assert result.error.startswith("Refused:")
    assert [p for _m, p, _ua in server.requests] == [path]  # one request, never followed


def test_a_name_that_resolves_elsewhere_on_connecting_is_refused(monkeypatch):
    """DNS rebinding: public when checked, private when connecting. The connection is refused."""
    answers = iter(["93.184.215.14", "10.0.0.7"])
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.example":
            return real(host, port, *args, **kwargs)
        address = next(answers)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr(linkcheck.socket, "getaddrinfo", rebinding)
    monkeypatch.setattr(linkcheck, "_proxy_hosts", set)

    result = linkcheck.check_url("http://rebind.example/", timeout=TIMEOUT)

    assert (result.ok, result.refused) == (False, True)
    assert "10.0.0.7, a private address" in result.error


@pytest.mark.django_db
def test_command_records_a_refused_link_with_its_reason(server, settings):
    settings.LINKCHECK_ALLOW_LOOPBACK = False
    probe = SourceFactory(url=server.url("/ok"))
    out = StringIO()

    call_command("check_source_links", "--timeout", str(TIMEOUT), stdout=out)

    probe.refresh_from_db()
    assert (probe.link_ok, probe.link_status) == (False, None)
    assert probe.link_error.startswith("Refused: 127.0.0.1 resolves to 127.0.0.1")
    assert probe.link_checked_at is not None
    assert server.requests == []
    assert "Checked 1 source link(s): 0 ok, 0 broken, 1 refused (not a public address)." in (
        out.getvalue()
    )
    assert f"refused: {probe.url}" in out.getvalue()


@pytest.mark.django_db
def test_command_records_status_and_date_on_each_source_and_prints_a_summary(server):
    ok = SourceFactory(url=server.url("/ok"))
    missing = SourceFactory(url=server.url("/missing"))
    no_head = SourceFactory(url=server.url("/no-head"))
    before = timezone.now()
    out = StringIO()

    call_command("check_source_links", "--timeout", str(TIMEOUT), stdout=out)

    for source in (ok, missing, no_head):
        source.refresh_from_db()
        assert source.link_checked_at >= before
    assert (ok.link_status, ok.link_ok, ok.link_error) == (200, True, "")
    assert (missing.link_status, missing.link_ok) == (404, False)
    assert missing.link_error.startswith("HTTP 404")
    assert (no_head.link_status, no_head.link_ok) == (200, True)
    assert "Checked 3 source link(s): 2 ok, 1 broken." in out.getvalue()
    assert f"broken: {missing.url}" in out.getvalue()


@pytest.mark.django_db
def test_link_checks_add_nothing_to_the_public_history(server):
    source = SourceFactory(url=server.url("/missing"))
    entries = source.history.count()

    call_command("check_source_links", "--timeout", str(TIMEOUT), stdout=StringIO())

    assert source.history.count() == entries


@pytest.mark.django_db
def test_only_unchecked_skips_sources_already_checked(server):
    SourceFactory(url=server.url("/ok"))
    checked = SourceFactory(url=server.url("/missing"))
    Source.objects.filter(pk=checked.pk).update(link_checked_at=timezone.now(), link_ok=True)

    call_command("check_source_links", "--only-unchecked", stdout=StringIO())

    assert [path for _m, path, _ua in server.requests] == ["/ok"]


@pytest.mark.django_db
def test_older_than_rechecks_only_stale_and_unchecked_sources(server):
    recent = SourceFactory(url=server.url("/missing"))
    stale = SourceFactory(url=server.url("/moved"))
    never = SourceFactory(url=server.url("/ok"))
    now = timezone.now()
    Source.objects.filter(pk=recent.pk).update(link_checked_at=now - timezone.timedelta(days=2))
    Source.objects.filter(pk=stale.pk).update(link_checked_at=now - timezone.timedelta(days=40))

    call_command("check_source_links", "--older-than", "30", stdout=StringIO())

    paths = {path for _m, path, _ua in server.requests}
    assert paths == {"/moved", "/ok"}
    never.refresh_from_db()
    assert never.link_ok is True


@pytest.mark.django_db
def test_limit_checks_never_checked_sources_first(server):
    first = SourceFactory(url=server.url("/ok"))
    Source.objects.filter(pk=first.pk).update(link_checked_at=timezone.now())
    unchecked = SourceFactory(url=server.url("/no-head"))

    out = StringIO()
    call_command("check_source_links", "--limit", "1", stdout=out)

    assert {path for _m, path, _ua in server.requests} == {"/no-head"}
    unchecked.refresh_from_db()
    assert unchecked.link_ok is True
    assert "Checked 1 source link(s)" in out.getvalue()


@pytest.mark.django_db
def test_concurrency_is_bounded_by_workers(server):
    for _ in range(6):
        SourceFactory(url=server.url("/pause"))

    call_command("check_source_links", "--workers", "2", stdout=StringIO())

    assert len(server.requests) == 6
    assert server.max_in_flight <= 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [["--workers", "0"], ["--timeout", "0"], ["--limit", "0"], ["--older-than", "-1"]],
)
def test_nonsense_options_are_refused(args):
    with pytest.raises(CommandError):
        call_command("check_source_links", *args, stdout=StringIO())
