"""
Statements compiled once and run for any rows: the per-save work on derived
values (the audit status, the search index) over a few rows.

Such a statement sets or selects a dozen correlated subqueries; building and
compiling them with the ORM is most of its cost when it concerns one row (the
database answers in microseconds). So it is compiled once per model and
database, without a WHERE clause, and each run appends the rows' keys as a
subquery: ``<statement> WHERE <table>.<pk> IN (SELECT ...)``.
"""

from django.db import connections
from django.db.models import sql


def _for_keys(query, using) -> tuple[str, tuple]:
    """``query`` (over its table alone, no WHERE) compiled, ending ``WHERE <pk> IN``."""
    model = query.model
    statement, params = query.get_compiler(using).as_sql()
    quote = connections[using].ops.quote_name
    table = quote(model._meta.db_table)
    # The rows' keys go last: anything the ORM put after the table (a join, a
    # WHERE, an ORDER BY) would make the appended condition wrong or invalid.
    ends_with_table = isinstance(query, sql.UpdateQuery) or statement.endswith(f" FROM {table}")
    if query.where or not ends_with_table:
        raise ValueError(f"not a statement over {table} alone: {statement}")
    return f"{statement} WHERE {table}.{quote(model._meta.pk.column)} IN", tuple(params)


def select_for_keys(queryset, using) -> tuple[str, tuple]:
    """``queryset``'s SELECT (its table alone), to be followed by ``(<keys' SELECT>)``."""
    return _for_keys(queryset.order_by().query, using)


def update_for_keys(queryset, values: dict, using) -> tuple[str, tuple]:
    """The UPDATE ``queryset.update(**values)`` would run, to be followed by ``(<keys>)``."""
    query = queryset.order_by().query.chain(sql.UpdateQuery)
    query.add_update_values(values)
    return _for_keys(query, using)


def keys_of(queryset, using) -> tuple[str, tuple]:
    """The SELECT of ``queryset``'s keys, to follow a statement of this module."""
    return queryset.order_by().values("pk").query.get_compiler(using).as_sql()


def run_for(statement, queryset, using):
    """
    Run ``statement`` (from ``select_for_keys`` or ``update_for_keys``) over
    ``queryset``'s rows: the rows selected, or the number of rows updated.
    """
    sql, params = statement
    keys_sql, keys_params = keys_of(queryset, using)
    with connections[using].cursor() as cursor:
        cursor.execute(f"{sql} ({keys_sql})", (*params, *keys_params))
        return cursor.fetchall() if cursor.description else cursor.rowcount
