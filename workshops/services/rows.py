"""The statements every change to a board runs, written once from the models.

Django's ORM spends 0.1-0.45 ms of CPU building the SQL of a query each time it runs one; a
change runs three or four on the thread that shares the interpreter with every socket of the
process, so under load that time showed as latency on everyone's screen (docs/architecture.md).
The SQL here is built once, from the models' own fields (a field added to a model is included
without a change here), and values are prepared and read back by those fields and the
database backend's converters, as the ORM itself does.
"""

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from uuid import UUID

from django.db import connection
from django.db.models import Field, JSONField, Model
from django.db.models.base import ModelState

from workshops.models import Participant, Sticky

type Converter = Callable[[Any, Any, Any], Any]
# The columns to select; the fields' names; for each column that needs converting, its place,
# the column and its converters.
type Reader = tuple[str, list[str], list[tuple[int, Any, list[Converter]]]]


def _quote(field: "Field[Any, Any]") -> str:
    assert field.column is not None
    return connection.ops.quote_name(field.column)


@cache
def _reader(model: type[Model], alias: str) -> Reader:
    """The columns to select, the fields' names and the converters of the columns that have
    any (the backend's and the field's own, as the ORM applies them)."""
    fields = model._meta.concrete_fields
    columns = ", ".join(f"{alias}.{_quote(field)}" for field in fields)
    converting = []
    for place, field in enumerate(fields):
        column = field.get_col(alias)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converting.append((place, column, found))
    return columns, [field.attname for field in fields], converting


def _read(model: type[Model], alias: str, values: Sequence[Any]) -> Any:
    _, names, converting = _reader(model, alias)
    converted = list(values)
    for place, column, functions in converting:
        value = converted[place]
        if value is None:  # every converter leaves NULL as None
            continue
        for function in functions:
            value = function(value, column, connection)
        converted[place] = value
    # What Model.from_db does with every column, without Model.__init__ setting each through
    # its descriptor (a fifth of a reveal's reading): no model here has init signals.
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, converted, strict=True))
    instance._state = ModelState()
    instance._state.adding, instance._state.db = False, connection.alias
    instance._stored = converted  # type: ignore[attr-defined]  # `update` writes what differs
    return instance


@cache
def _sticky_sql() -> str:
    quote = connection.ops.quote_name
    sticky_columns, author_columns = _reader(Sticky, "s")[0], _reader(Participant, "p")[0]
    created_by = _quote(Sticky._meta.get_field("created_by"))
    return (
        f"SELECT {sticky_columns}, {author_columns} FROM {quote(Sticky._meta.db_table)} s"  # noqa: S608
        f" LEFT JOIN {quote(Participant._meta.db_table)} p ON p.id = s.{created_by}"
        f" WHERE s.id = %s AND s.{_quote(Sticky._meta.get_field('workshop'))} = %s"
    )


def ask_sticky(workshop_id: int, sticky_id: UUID) -> Callable[[], Sticky | None]:
    """Send the read of a sticky of this board (deleted or not, with its author) and return
    what waits for its answer. In a pipeline (PostgreSQL) reads sent before the first answer
    is awaited come back together, in one round trip."""
    key = Sticky._meta.pk.get_db_prep_value(sticky_id, connection)
    cursor = connection.cursor()
    cursor.execute(_sticky_sql(), [key, workshop_id])

    def answer() -> Sticky | None:
        with cursor:
            row = cursor.fetchone()
        if row is None:
            return None
        width = len(Sticky._meta.concrete_fields)
        found: Sticky = _read(Sticky, "s", row[:width])
        author = _read(Participant, "p", row[width:]) if row[width] is not None else None
        found.created_by = author
        return found

    return answer


@cache
def _insert_sql(model: type[Model]) -> "tuple[str, list[Field[Any, Any]]]":
    fields = [f for f in model._meta.concrete_fields if f is not model._meta.auto_field]
    quote = connection.ops.quote_name
    columns = ", ".join(_quote(field) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})", fields  # noqa: S608


@cache
def _update_sql(model: type[Model]) -> "tuple[str, list[Field[Any, Any]]]":
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{_quote(field)} = %s" for field in fields)
    table, key = quote(model._meta.db_table), _quote(pk)
    return f"UPDATE {table} SET {assignments} WHERE {key} = %s", [*fields, pk]  # noqa: S608


def _values(instance: Model, fields: "list[Field[Any, Any]]", *, add: bool) -> list[Any]:
    return [field.get_db_prep_save(field.pre_save(instance, add), connection) for field in fields]


def insert(instance: Model) -> None:
    """INSERT every column of a new row (its primary key is given, or the database's own)."""
    sql, fields = _insert_sql(type(instance))
    with connection.cursor() as cursor:
        cursor.execute(sql, _values(instance, fields, add=True))
    instance._state.adding = False
    instance._state.db = connection.alias


@cache
def _update_some_sql(model: type[Model], fields: "tuple[Field[Any, Any], ...]") -> str:
    pk = model._meta.pk
    assert pk is not None
    assignments = ", ".join(f"{_quote(field)} = %s" for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    return f"UPDATE {table} SET {assignments} WHERE {_quote(pk)} = %s"  # noqa: S608


def update(instance: Model) -> None:
    """UPDATE the columns of a row already there: those whose values differ from what was read
    (a row read here), or every column. JSON columns are always written: their lists may have
    changed in place, unseen by a comparison with what was read."""
    stored: list[Any] | None = getattr(instance, "_stored", None)
    model = type(instance)
    if stored is None:
        sql, fields = _update_sql(model)
        with connection.cursor() as cursor:
            cursor.execute(sql, _values(instance, fields, add=False))
        return
    pk, now = model._meta.pk, []
    assert pk is not None
    changed: list[Field[Any, Any]] = []
    for field, was in zip(model._meta.concrete_fields, stored, strict=True):
        value = getattr(instance, field.attname)
        now.append(value)
        if field is not pk and (value != was or isinstance(field, JSONField)):
            changed.append(field)
    instance._stored = now  # type: ignore[attr-defined]
    if not changed:
        return
    sql = _update_some_sql(model, tuple(changed))
    values = _values(instance, [*changed, pk], add=False)
    with connection.cursor() as cursor:
        cursor.execute(sql, values)


@cache
def _reveal_sql() -> str:
    quote = connection.ops.quote_name
    columns = _reader(Sticky, "s")[0].replace("s.", "")
    private, version = (
        _quote(Sticky._meta.get_field("private")),
        _quote(Sticky._meta.get_field("version")),
    )
    updated, workshop = (
        _quote(Sticky._meta.get_field("updated_at")),
        _quote(Sticky._meta.get_field("workshop")),
    )
    return (
        f"UPDATE {quote(Sticky._meta.db_table)} SET {private} = %s, {version} = {version} + 1,"  # noqa: S608
        f" {updated} = %s WHERE {workshop} = %s AND {private} RETURNING {columns}"
    )


def reveal(workshop_id: int, moment: Any) -> list[Sticky]:
    """Make every private sticky of a board public, each with its next version, in one
    statement that returns them as they now are (with their authors, read in one more)."""
    field = Sticky._meta.get_field("updated_at")
    values = [False, field.get_db_prep_save(moment, connection), workshop_id]
    with connection.cursor() as cursor:
        cursor.execute(_reveal_sql(), values)
        found: list[Sticky] = [_read(Sticky, "s", row) for row in cursor.fetchall()]
    people = _people({sticky.created_by_id for sticky in found if sticky.created_by_id})
    for sticky in found:
        sticky.created_by = people.get(sticky.created_by_id) if sticky.created_by_id else None
    return found


def _people(ids: set[int]) -> dict[int, Participant]:
    """These participants, by id, in one statement."""
    if not ids:
        return {}
    table = connection.ops.quote_name(Participant._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = f"SELECT {_reader(Participant, 'p')[0]} FROM {table} p WHERE p.id IN ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, list(ids))
        found: list[Participant] = [_read(Participant, "p", row) for row in cursor.fetchall()]
    return {person.pk: person for person in found}
