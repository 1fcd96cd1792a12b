"""
Factories for tests. Every name they make says it is synthetic, so no one can
mistake it for a fact about a real government.
"""

import factory
from factory.django import DjangoModelFactory

from registry import choices, models, search, services


def _links(model_class):
    """The names of the record type's many-to-many fields (``sources``, a policy's ``agencies``)."""
    return {field.name for field in model_class._meta.many_to_many}


class IndexedOnceFactory(DjangoModelFactory):
    """
    Creates its record and every related record it makes, then refreshes the
    search index once (``search.deferred_indexing``), not after each save: the
    index is as fresh when the factory returns, at a fraction of the queries.

    Each record is written as the importers and the admin write one
    (``services.save_record``): saved with its many-to-many links (``sources``,
    a policy's ``agencies``) and ONE history entry holding them, not an entry
    for the save and one more per link set.
    """

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):
        # An unsaved record has no links (``build()`` makes one without the database).
        for name in _links(model_class) & set(kwargs):
            kwargs.pop(name)
        return super()._build(model_class, *args, **kwargs)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        m2m = {
            name: [obj.pk for obj in kwargs.pop(name)] for name in _links(model_class) & set(kwargs)
        }
        obj = model_class(*args, **kwargs)
        services.save_record(obj, reason=None, m2m={k: pks for k, pks in m2m.items() if pks})
        return obj

    @classmethod
    def _generate(cls, strategy, params):
        with search.deferred_indexing():
            return super()._generate(strategy, params)

    @classmethod
    def create_batch(cls, size, **kwargs):
        # One refresh for the whole batch, not one per record.
        with search.deferred_indexing():
            return super().create_batch(size, **kwargs)


class RecordFactory(IndexedOnceFactory):
    state = choices.State.PUBLISHED
    sources = None

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # One published source, unless the test passes its own (or ``sources=[]``).
        if kwargs.get("sources") is None:
            kwargs["sources"] = [SourceFactory()]
        return super()._create(model_class, *args, **kwargs)


class SourceFactory(IndexedOnceFactory):
    slug = factory.Sequence(lambda n: f"synthetic-source-{n:05d}")
    title = factory.Sequence(lambda n: f"Synthetic Source Document {n:05d}")
    url = factory.Sequence(lambda n: f"https://example.org/synthetic/{n:05d}")
    publisher = "Synthetic Publisher"
    kind = choices.SourceKind.NEWS
    state = choices.State.PUBLISHED

    class Meta:
        model = models.Source


class VendorFactory(RecordFactory):
    slug = factory.Sequence(lambda n: f"synthetic-vendor-{n:05d}")
    name = factory.Sequence(lambda n: f"Synthetic Vendor {n:05d}")
    country = "US"

    class Meta:
        model = models.Vendor


class SystemFactory(RecordFactory):
    slug = factory.Sequence(lambda n: f"synthetic-system-{n:05d}")
    name = factory.Sequence(lambda n: f"Synthetic Face Search {n:05d}")
    vendor = factory.SubFactory(VendorFactory)
    capabilities = [choices.Capability.IDENTIFICATION, choices.Capability.RETROSPECTIVE]

    class Meta:
        model = models.System


class AgencyFactory(RecordFactory):
    slug = factory.Sequence(lambda n: f"synthetic-county-police-{n:05d}")
    name = factory.Sequence(lambda n: f"Synthetic County Police {n:05d}")
    kind = choices.AgencyKind.POLICE
    level = choices.Level.LOCAL
    country = "US"
    region = "US-CA"
    locality = "Synthetic City"

    class Meta:
        model = models.Agency


class DeploymentFactory(RecordFactory):
    slug = factory.Sequence(lambda n: f"synthetic-deployment-{n:05d}")
    agency = factory.SubFactory(AgencyFactory)
    system = factory.SubFactory(SystemFactory)
    status = choices.DeploymentStatus.ACTIVE
    uses = [choices.Use.RETROSPECTIVE]

    class Meta:
        model = models.Deployment


class AuditFactory(RecordFactory):
    slug = factory.Sequence(lambda n: f"synthetic-audit-{n:05d}")
    system = factory.SubFactory(SystemFactory)
    auditor = factory.Sequence(lambda n: f"Synthetic Audit Lab {n:05d}")
    auditor_kind = choices.AuditorKind.INDEPENDENT
    is_public = True
    finding = choices.Finding.DISPARITIES_FOUND
    dimensions = [choices.Dimension.SEX]

    class Meta:
        model = models.Audit


class PolicyFactory(RecordFactory):
    slug = factory.Sequence(lambda n: f"synthetic-policy-{n:05d}")
    title = factory.Sequence(lambda n: f"Synthetic Face Recognition Ordinance {n:05d}")
    kind = choices.PolicyKind.ORDINANCE
    status = choices.PolicyStatus.IN_FORCE
    country = "US"
    regions = factory.LazyFunction(lambda: ["US-CA"])
    locality = "Synthetic City"
    requirements = [choices.Requirement.BAN_GOVERNMENT_USE]
    agencies = ()

    class Meta:
        model = models.Policy
