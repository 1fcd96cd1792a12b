"""The public "Suggest a correction" form and its spam protection."""

import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from registry import choices
from registry.models import Suggestion
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
    return signing.dumps(time.time() - seconds_ago, salt="registry.suggestions.started")


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


def test_spam_attempts_count_towards_the_rate_limit(client, settings):
    settings.SUGGESTION_RATE_LIMIT = 2
    for _ in range(2):
        client.post(SUGGEST, answers(website="spam"))

    assert client.post(SUGGEST, answers()).status_code == 429


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
    post = client.post(SUGGEST, answers(record=f"agencies:{hidden.slug}"))

    assert get.status_code == 400
    assert b"Synthetic Unpublished Police" not in get.content
    assert post.status_code == 400
    assert "does not exist or is not public" in post.content.decode()
    assert not Suggestion.objects.exists()


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
