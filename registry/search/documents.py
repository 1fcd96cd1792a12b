"""
What is indexed: each record type's weighted texts, as database expressions.

What a type's search reads is its ``types.RecordType.search`` (``SearchFields``:
A names, B related names and places, C prose). A related record's name counts
only while every record on the way is published, so a draft's name never
shows up in search; that is also why renaming an agency re-indexes its
deployments and audits (``dependents``).
"""

from functools import cache, reduce
from operator import or_

from django.db import models
from django.db.models import Case, F, FloatField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Concat, NullIf, Upper
from django.db.models.lookups import Exact

from .. import choices, types

WEIGHTS = ("A", "B", "C")
SEPARATOR = " · "
START, STOP = "\ue000", "\ue001"  # private-use characters marking matches in snippets


def published_lookups(path):
    """``{"vendor__state": "published", ...}`` for every relation along ``path``."""
    relations = path.split("__")[:-1]
    return {
        "__".join([*relations[: i + 1], "state"]): choices.State.PUBLISHED
        for i in range(len(relations))
    }


def field_expression(model, path):
    """
    The text at ``path`` for each row of ``model``: a column, or for a related
    record a subquery (an UPDATE may not join), empty unless it is published.
    """
    relation, _, rest = path.partition("__")
    if not rest:
        return F(path)
    fk = model._meta.get_field(relation)
    related = fk.related_model._base_manager.filter(
        pk=OuterRef(fk.attname), state=choices.State.PUBLISHED, **published_lookups(rest)
    )
    return Subquery(related.values(rest)[:1], output_field=models.TextField())


def joined_text(model, paths):
    """The texts at ``paths`` joined by a separator, empty ones left out."""
    if not paths:
        return Value("", output_field=models.TextField())
    pieces = [
        # ``||`` (unlike CONCAT) is NULL when a side is, so an empty field adds nothing.
        Coalesce(
            models.Func(
                Value(SEPARATOR),
                NullIf(field_expression(model, path), Value("")),
                template="(%(expressions)s)",
                arg_joiner=" || ",
                output_field=models.TextField(),
            ),
            Value(""),
            output_field=models.TextField(),
        )
        for path in paths
    ]
    text = Concat(*pieces, output_field=models.TextField()) if len(pieces) > 1 else pieces[0]
    return models.Func(
        text, Value(SEPARATOR.lstrip()), function="LTRIM", output_field=models.TextField()
    )


def all_paths(model):
    return [path for weight in WEIGHTS for path in types.of(model).search[weight]]


def name_fields(model):
    """The model's own name fields: a name equal to the query ranks first."""
    return [p for p in types.of(model).search["A"] if "__" not in p]


@cache
def dependents(model):
    """``[(other_model, lookup)]``: rows of other models whose text includes ``model``'s."""
    found = []
    for other in types.MODELS:
        lookups = set()
        for path in all_paths(other):
            relations = path.split("__")[:-1]
            current = other
            for i, relation in enumerate(relations):
                current = current._meta.get_field(relation).related_model
                if current is model:
                    lookups.add("__".join(relations[: i + 1]))
        found += [(other, lookup) for lookup in sorted(lookups)]
    return found


@cache
def indexed_fields(model):
    """Fields whose change alters the index: the searched ones and ``state``."""
    names = {"state"}
    for path in all_paths(model):
        field = model._meta.get_field(path.split("__")[0])
        names |= {field.name, field.attname}
    return frozenset(names)


def name_indexes(model):
    """
    ``[(index name, column)]``: a name equal to the query ranks first
    (``exact_boost``), so the results page looks such rows up by an index on
    ``UPPER(name)`` (``exact_name_q``) instead of reading every row.
    """
    table = model._meta.db_table
    return [
        (f"{table}_{field}_upper", model._meta.get_field(field).column)
        for field in name_fields(model)
    ]


def exact_name_q(model, parsed):
    """
    Rows whose own name equals the query's words, or ``None`` when the type
    has no name. ``UPPER(name) = UPPER(words)``, as ``iexact`` on PostgreSQL
    (on SQLite ``iexact`` is a ``LIKE``, which no index serves; both fold
    ASCII case only, and the words have no wildcard).
    """
    fields = name_fields(model)
    plain = parsed.plain
    if not fields or not plain:
        return None
    words = Upper(Value(plain, output_field=models.TextField()))
    return reduce(or_, [Q(Exact(Upper(f), words)) for f in fields])


def exact_boost(model, parsed):
    """A name equal to the query outranks any other match (every backend adds this)."""
    exact = exact_name_q(model, parsed)
    if exact is None:
        return Value(0.0, output_field=FloatField())
    return Case(When(exact, then=Value(100.0)), default=Value(0.0), output_field=FloatField())
