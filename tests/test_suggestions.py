"""The public "Suggest a correction" form and its spam protection."""

import datetime
import time
import uuid

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from registry import choices
from registry.models import Agency, Suggestion
from registry.suggestions import MAX_BODY, MAX_URLS
from tests.factories import AgencyFactory, PolicyFactory

pytestmark = pytest.mark.django_db

SUGGEST = "/suggest/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    settings.SUGGESTION_MIN_SECONDS = 3
    settings.SUGGESTION_RATE_LIMIT = 5
    cache.clear()
    yield
    cache.clear()


def started(seconds_ago=10):
    """The signed start time the form carries, as if it was loaded ``seconds_ago``."""
    return _signed_at(time.time() - seconds_ago)


def _signed_at(moment):
    return signing.dumps([moment, uuid.uuid4().hex], salt="registry.suggestions.started")


def answers(**overrides):
    data = {
        "record": "",
        "body": "Synthetic correction: the start date is 2019, not 2018.",
        "source_urls": "https://example.org/synthetic/report\nhttp://example.org/synthetic/2",
        "name": "Synthetic Sender",
        "email": "synthetic@example.org",
        "website": "",
        "started": started(),
    }
    data.update(overrides)
    return data


def test_detail_link_prefills_the_form_with_the_record(client):
    agency = AgencyFactory(name="Synthetic County Police 00042")

    response = client.get(SUGGEST, {"record": f"agencies:{agency.slug}"})

    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="agencies:{agency.slug}"' in html
    assert "Synthetic County Police 00042" in html


def test_form_says_name_and_email_are_never_shown_publicly(client):
    html = client.get(SUGGEST).content.decode()

    assert "never shown publicly" in html.lower()


def test_honeypot_is_hidden_from_people_and_out_of_the_tab_order(client):
    html = client.get(SUGGEST).content.decode()

    assert '<div class="visually-hidden" aria-hidden="true">' in html
    assert 'name="website" tabindex="-1"' in html
    assert "Leave this field empty" in html


def test_valid_suggestion_is_saved_and_confirmed_with_a_reference(client):
    agency = AgencyFactory()

    response = client.post(SUGGEST, answers(record=f"agencies:{agency.slug}"), follow=True)

    suggestion = Suggestion.objects.get()
    assert response.status_code == 200
    assert suggestion.reference in response.content.decode()
    assert suggestion.record == agency
    assert suggestion.state == choices.SuggestionState.NEW
    assert suggestion.source_urls.splitlines() == [
        "https://example.org/synthetic/report",
        "http://example.org/synthetic/2",
    ]
    assert suggestion.email == "synthetic@example.org"
    assert b"synthetic@example.org" not in response.content


def test_record_can_be_named_by_its_singular_type_too(client):
    policy = PolicyFactory()

    client.post(SUGGEST, answers(record=f"policy:{policy.slug}"))

    assert Suggestion.objects.get().record == policy


def test_suggestion_without_a_record_is_about_the_register_in_general(client):
    response = client.post(SUGGEST, answers())

    assert response.status_code == 302
    assert Suggestion.objects.get().record is None


def test_the_senders_address_is_stored_only_as_a_salted_hash(client):
    client.post(SUGGEST, answers(), REMOTE_ADDR="203.0.113.7")

    suggestion = Suggestion.objects.get()
    assert len(suggestion.client_hash) == 64
    assert "203.0.113.7" not in suggestion.client_hash
    other = Client()
    cache.clear()
    other.post(SUGGEST, answers(), REMOTE_ADDR="203.0.113.8")
    assert Suggestion.objects.exclude(pk=suggestion.pk).get().client_hash != suggestion.client_hash


def test_filled_honeypot_is_rejected_with_a_clear_message(client):
    response = client.post(SUGGEST, answers(website="https://spam.example"))

    assert response.status_code == 400
    assert "leave this field empty" in response.content.decode().lower()
    assert not Suggestion.objects.exists()


def test_form_sent_faster_than_a_person_can_type_is_rejected(client):
    response = client.post(SUGGEST, answers(started=started(seconds_ago=1)))

    assert response.status_code == 400
    assert "quicker than a person" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_minimum_fill_time_is_a_setting(client, settings):
    settings.SUGGESTION_MIN_SECONDS = 0

    response = client.post(SUGGEST, answers(started=started(seconds_ago=0)))

    assert response.status_code == 302


def test_tampered_or_missing_start_time_is_rejected_not_a_500(client):
    forged = client.post(SUGGEST, answers(started="1700000000.0:forged:signature"))
    missing = client.post(SUGGEST, answers(started=""))

    assert forged.status_code == 400
    assert "expired" in forged.content.decode()
    assert missing.status_code == 400
    assert not Suggestion.objects.exists()


def test_rejected_form_keeps_the_answers_and_a_fresh_start_time(client):
    response = client.post(SUGGEST, answers(started=started(seconds_ago=1)))

    html = response.content.decode()
    assert "Synthetic correction: the start date is 2019" in html
    assert response.context["form"]["started"].value() != answers()["started"]


def test_too_many_suggestions_from_one_address_are_rate_limited(client, settings):
    settings.SUGGESTION_RATE_LIMIT = 2
    for _ in range(2):
        assert client.post(SUGGEST, answers()).status_code == 302

    response = client.post(SUGGEST, answers())

    assert response.status_code == 429
    assert "Too many suggestions" in response.content.decode()
    assert Suggestion.objects.count() == 2
    # Another address is not affected.
    assert client.post(SUGGEST, answers(), REMOTE_ADDR="198.51.100.9").status_code == 302


def test_spam_rejections_do_not_use_up_the_next_honest_senders_allowance(client, settings):
    settings.SUGGESTION_RATE_LIMIT = 2
    for _ in range(5):
        assert client.post(SUGGEST, answers(website="spam")).status_code == 400
        assert client.post(SUGGEST, answers(started=started(seconds_ago=0))).status_code == 400
        assert client.post(SUGGEST, answers(body="")).status_code == 400

    sent = [client.post(SUGGEST, answers()).status_code for _ in range(3)]

    assert sent == [302, 302, 429]
    assert Suggestion.objects.count() == 2


def test_a_fill_time_token_is_good_for_one_suggestion_only(client, settings):
    settings.SUGGESTION_MIN_SECONDS = 0
    once = answers()

    first = client.post(SUGGEST, once)
    again = client.post(SUGGEST, once)

    assert first.status_code == 302
    assert again.status_code == 400
    assert "This copy of the form was sent already" in again.content.decode()
    assert Suggestion.objects.count() == 1
    # The answers come back with a fresh token, so a second suggestion can still be sent.
    fresh = again.context["form"]["started"].value()
    assert fresh != once["started"]
    assert client.post(SUGGEST, {**once, "started": fresh}).status_code == 302


def test_a_spent_token_does_not_use_up_the_allowance(client, settings):
    settings.SUGGESTION_RATE_LIMIT = 2
    once = answers()
    client.post(SUGGEST, once)
    for _ in range(3):
        assert client.post(SUGGEST, once).status_code == 400

    assert client.post(SUGGEST, answers()).status_code == 302


def test_a_rejected_post_does_not_spend_its_token(client):
    mistaken = answers(body="")
    assert client.post(SUGGEST, mistaken).status_code == 400

    assert client.post(SUGGEST, {**mistaken, "body": "Synthetic fix."}).status_code == 302


def test_the_limit_and_spent_tokens_are_kept_in_the_shared_cache(client, settings):
    """With the database cache (shared by every process) the counts are rows in its table."""
    from django.core.management import call_command
    from django.db import connection

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "synthetic_shared_cache",
        }
    }
    settings.SUGGESTION_RATE_LIMIT = 2
    call_command("createcachetable", verbosity=0)  # rolled back with the test

    sent = [client.post(SUGGEST, answers()).status_code for _ in range(3)]

    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, expires FROM synthetic_shared_cache")
        rows = cursor.fetchall()

    assert sent == [302, 302, 429]
    rate_expiries = [expires for key, expires in rows if ":suggestions:rate:" in key]
    assert len(rate_expiries) == 2  # one slot per accepted suggestion
    assert sum(":suggestions:token:" in key for key, _expires in rows) == 2
    # The hour's count must outlive the database cache's default 300 s expiry.
    for expires in rate_expiries:
        if isinstance(expires, str):  # SQLite returns text
            expires = datetime.datetime.fromisoformat(expires)
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=datetime.UTC)
        assert expires - datetime.datetime.now(datetime.UTC) > datetime.timedelta(minutes=50)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/synthetic",
        "javascript:alert(1)",
        "not a url",
        "https://" + "a" * 2000 + ".example.org/",
    ],
    ids=["ftp", "javascript", "words", "too-long"],
)
def test_source_urls_must_be_http_or_https_web_addresses(client, url):
    response = client.post(SUGGEST, answers(source_urls=f"https://example.org/ok\n{url}"))

    assert response.status_code == 400
    assert "line 2" in response.content.decode().lower()
    assert not Suggestion.objects.exists()


def test_too_many_source_urls_are_rejected(client):
    urls = "\n".join(f"https://example.org/s/{n}" for n in range(MAX_URLS + 1))

    response = client.post(SUGGEST, answers(source_urls=urls))

    assert response.status_code == 400
    assert f"at most {MAX_URLS} URLs" in response.content.decode()


def test_oversize_text_is_rejected(client):
    response = client.post(SUGGEST, answers(body="x" * (MAX_BODY + 1)))

    assert response.status_code == 400
    assert f"under {MAX_BODY} characters" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_body_is_required(client):
    response = client.post(SUGGEST, answers(body=""))

    assert response.status_code == 400
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    "reference",
    ["agencies:no-such-record", "spaceships:x", "agencies:", "nonsense"],
)
def test_unknown_record_on_the_link_is_a_clear_400_with_a_usable_form(client, reference):
    response = client.get(SUGGEST, {"record": reference})

    assert response.status_code == 400
    assert "could not find a public record" in response.content.decode()
    assert 'name="body"' in response.content.decode()


@pytest.mark.parametrize("state", [choices.State.DRAFT, choices.State.IN_REVIEW])
def test_unpublished_records_cannot_be_named(client, state):
    hidden = AgencyFactory(name="Synthetic Unpublished Police", state=state)

    get = client.get(SUGGEST, {"record": f"agencies:{hidden.slug}"})
    post = client.post(SUGGEST, answers(record=f"agencies:{hidden.slug}"), follow=True)

    assert get.status_code == 400
    assert b"Synthetic Unpublished Police" not in get.content
    assert b"Synthetic Unpublished Police" not in post.content
    assert Suggestion.objects.get().record is None


def test_a_record_withdrawn_after_the_form_was_opened_does_not_block_the_suggestion(client):
    """Issue 8, bug 3: the hidden record value used to dead-end every POST with a 400."""
    agency = AgencyFactory(name="Synthetic Withdrawn Police")
    form = client.get(SUGGEST, {"record": f"agencies:{agency.slug}"})
    assert f'value="agencies:{agency.slug}"' in form.content.decode()
    Agency.objects.filter(pk=agency.pk).update(state=choices.State.IN_REVIEW)  # sent back

    response = client.post(SUGGEST, answers(record=f"agencies:{agency.slug}"), follow=True)

    html = response.content.decode()
    assert response.status_code == 200
    suggestion = Suggestion.objects.get()
    assert suggestion.record is None
    assert suggestion.reference in html
    assert "is no longer public" in html
    assert "about the register in general" in html


def test_a_withdrawn_record_is_taken_off_a_form_sent_back_for_another_mistake(client):
    agency = AgencyFactory(state=choices.State.DRAFT)

    response = client.post(SUGGEST, answers(record=f"agencies:{agency.slug}", body=""))

    html = response.content.decode()
    assert response.status_code == 400
    assert "is no longer public" in html
    assert f"agencies:{agency.slug}" not in html
    form = response.context["form"]
    corrected = {**form.data.dict(), "body": "Synthetic fix.", "started": started()}
    assert corrected["record"] == ""
    assert client.post(SUGGEST, corrected).status_code == 302


def test_form_is_csrf_protected():
    client = Client(enforce_csrf_checks=True)

    response = client.post(SUGGEST, answers())

    assert response.status_code == 403
    assert not Suggestion.objects.exists()


def test_confirmation_cannot_be_reached_by_guessing_a_number(client):
    client.post(SUGGEST, answers())
    suggestion = Suggestion.objects.get()

    for token in [str(suggestion.pk), suggestion.reference, "bm90LXNpZ25lZA:forged:x"]:
        url = reverse("registry:suggest-done", kwargs={"token": token})
        assert client.get(url).status_code == 404


def test_only_get_and_post_are_allowed(client):
    assert client.put(SUGGEST).status_code == 405


def test_every_record_page_links_to_a_prefilled_suggestion(client):
    agency = AgencyFactory()

    html = client.get(agency.get_absolute_url()).content.decode()

    assert f'href="/suggest/?record=agencies%3A{agency.slug}"' in html
    assert "Suggest a correction" in html


@pytest.mark.parametrize(
    ("proxies", "forwarded", "seen_as"),
    [
        (0, "198.51.100.1", "203.0.113.7"),  # no trusted proxy: the header is ignored
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "192.0.2.66, 198.51.100.1", "198.51.100.1"),  # the client's own entry is not believed
        (2, "192.0.2.66, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (1, "", "203.0.113.7"),  # no header: the connection's address
        (2, "198.51.100.1", "203.0.113.7"),  # fewer entries than proxies
        (1, "not-an-address", "203.0.113.7"),
        (0, "", ""),  # no usable address at all: empty, never a made-up value
    ],
)
def test_client_address_is_read_from_the_trusted_proxies_only(settings, rf, proxies, forwarded,
                                                              seen_as):  # fmt: skip
    from registry.clientaddress import client_address

    settings.TRUSTED_PROXY_COUNT = proxies
    remote = "203.0.113.7" if seen_as else "unix-socket"
    request = rf.post(SUGGEST, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == seen_as


def test_behind_a_proxy_each_visitor_has_an_allowance_of_their_own(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SUGGESTION_RATE_LIMIT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    first = client.post(SUGGEST, answers(), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    again = client.post(SUGGEST, answers(), HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy)
    spoofed = client.post(
        SUGGEST, answers(), HTTP_X_FORWARDED_FOR="192.0.2.1, 198.51.100.1", **proxy
    )
    other = client.post(SUGGEST, answers(), HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy)

    assert [r.status_code for r in (first, again, spoofed, other)] == [302, 429, 429, 302]


def test_purge_erases_old_senders_personal_data_and_keeps_the_suggestion(settings):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    settings.SUGGESTION_RETENTION_DAYS = 30
    old = Suggestion.objects.create(
        body="Synthetic old", name="Synthetic Old", email="old@example.org", client_hash="a" * 64
    )
    recent = Suggestion.objects.create(
        body="Synthetic recent", name="Synthetic New", email="new@example.org", client_hash="b" * 64
    )
    Suggestion.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - timezone.timedelta(days=31)
    )
    out = StringIO()

    call_command("purge_suggestions", "--dry-run", stdout=out)
    old.refresh_from_db()
    assert old.email == "old@example.org"
    call_command("purge_suggestions", stdout=out)
    call_command("purge_suggestions", stdout=out)  # twice changes nothing more

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.name, old.email, old.client_hash, old.body) == ("", "", "", "Synthetic old")
    assert (recent.name, recent.email) == ("Synthetic New", "new@example.org")
    lines = out.getvalue().splitlines()
    assert "Personal data of 1 suggestion(s)" in lines[0] and "would be erased" in lines[0]
    assert "Personal data of 1 suggestion(s)" in lines[1] and "retention 30 days" in lines[1]
    assert "Personal data of 0 suggestion(s)" in lines[2]
