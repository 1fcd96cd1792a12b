"""
``counts.remembered_here``: a large value kept in each process as well as in
the shared cache, used only while the shared cache vouches for it.
"""

import pytest
from django.core.cache import cache

from registry import counts, places

from .factories import AgencyFactory

pytestmark = pytest.mark.django_db


class Computer:
    """A value to remember, counting how often it is computed."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return {"computed": self.calls}


def remember(compute):
    return counts.remembered_here("test", ["large"], compute)


def test_a_process_reads_its_own_copy_once_the_shared_cache_vouches_for_it():
    compute = Computer()
    assert remember(compute) == {"computed": 1}
    # The shared value is gone, its token is not: this process's copy is used.
    cache.delete(counts._key("test", ["large"]))
    assert remember(compute) == {"computed": 1}
    assert compute.calls == 1


def test_another_process_reads_the_shared_value_without_computing_it():
    compute = Computer()
    remember(compute)
    counts._here.clear()  # a second process: no copy of its own yet
    assert remember(compute) == {"computed": 1}
    assert compute.calls == 1


def test_a_cleared_cache_computes_afresh_under_the_same_version():
    compute = Computer()
    version = counts.read_version()
    remember(compute)
    cache.clear()
    assert counts.read_version() == version
    assert remember(compute) == {"computed": 2}


def test_a_change_to_the_register_computes_afresh():
    compute = Computer()
    remember(compute)
    AgencyFactory()
    assert remember(compute) == {"computed": 2}


def test_a_locality_recorded_after_a_search_is_found_by_the_next_one():
    AgencyFactory(country="US", region="US-MI", locality="Ypsilanti", name="Ypsilanti Police")
    assert [p.name for p in places.resolve("Ann Arbor Township")] == []
    AgencyFactory(
        country="US", region="US-MI", locality="Ann Arbor Township", name="Township Police"
    )
    assert [p.name for p in places.resolve("Ann Arbor Township")] == ["Ann Arbor Township"]


def test_nothing_is_kept_when_caching_is_off(settings):
    settings.REGISTER_COUNTS_CACHE_SECONDS = 0
    compute = Computer()
    remember(compute)
    remember(compute)
    assert compute.calls == 2
