"""Every public page renders with the curated seed dataset, imported once for the module."""

import pytest
from django.urls import reverse

from registry.models import Agency
from registry.types import MODELS, RECORD_TYPES

pytestmark = pytest.mark.django_db


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, (url, response.content.decode()[:2000])
    return response.content.decode()


def test_every_page_renders_with_the_seed_data(client, seed_register):
    urls = [reverse("registry:home"), reverse("registry:methodology")]
    urls += [record_type.list_url() for record_type in RECORD_TYPES]
    for model in MODELS:
        urls += [record.get_absolute_url() for record in model.objects.public()]
    assert len(urls) > 100
    for url in urls:
        page(client, url)


def test_seed_lists_show_their_records(client, seed_register):
    html = page(client, reverse("registry:agency-list"))
    for agency in Agency.objects.published()[:5]:
        assert agency.get_absolute_url() in html
