"""
Factories for tests. Every name they make says it is synthetic, so no one can
mistake it for a fact about a real government.
"""

import factory
from factory.django import DjangoModelFactory

from registry import choices, models, search


class IndexedOnceFactory(DjangoModelFactory):
    """
    Creates its record and every related record it makes, then refreshes the
    search index once (``search.deferred_indexing``), not after each save: the
    index is as fresh when the factory returns, at a fraction of the queries.
    """

    class Meta:
        abstract = True

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

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def sources(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            extracted = [SourceFactory()] if not isinstance(self, models.Source) else []
        if extracted and hasattr(self, "sources"):
            self.sources.set(extracted)


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

    class Meta:
        model = models.Policy
        skip_postgeneration_save = True

    @factory.post_generation
    def agencies(self, create, extracted, **kwargs):
        if create and extracted:
            self.agencies.set(extracted)
