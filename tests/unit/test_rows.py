"""The prepared statements behind every change read and write exactly what the ORM would."""

from django.utils import timezone

from tests.factories import make_sticky
from workshops.kinds import Kind
from workshops.models import Operation, Participant, Sticky, Workshop
from workshops.protocol import Place
from workshops.services import rows


def as_stored(sticky: Sticky) -> dict[str, object]:
    """Every column's value."""
    return {field.attname: getattr(sticky, field.attname) for field in Sticky._meta.concrete_fields}


def test_a_sticky_reads_back_as_the_orm_reads_it(board: Workshop, alice: Participant) -> None:
    event = make_sticky(board, alice, text="Build passed")
    lane = Place(parked=False, event=event.pk)
    note = make_sticky(board, alice, kind=Kind.PAIN, text="Slow", place=lane)
    Sticky.objects.filter(pk=note.pk).update(deleted_at=timezone.now(), parallel=False)

    for sticky in (event, note):
        read = rows.ask_sticky(board.pk, sticky.pk)()
        assert read is not None
        assert as_stored(read) == as_stored(Sticky.objects.get(pk=sticky.pk))
        assert read.created_by == alice and read.created_by.name == "Alice"
        assert not read._state.adding


def test_a_sticky_of_another_board_or_none_at_all_is_not_found(
    board: Workshop, other_board: Workshop, alice: Participant
) -> None:
    sticky = make_sticky(board, alice)
    assert rows.ask_sticky(other_board.pk, sticky.pk)() is None
    assert rows.ask_sticky(board.pk, Sticky().pk)() is None


def test_a_sticky_without_an_author_reads_back(board: Workshop, alice: Participant) -> None:
    sticky = make_sticky(board, alice)
    Sticky.objects.filter(pk=sticky.pk).update(created_by=None)
    read = rows.ask_sticky(board.pk, sticky.pk)()
    assert read is not None and read.created_by is None


def test_update_writes_every_column(board: Workshop, alice: Participant) -> None:
    sticky = make_sticky(board, alice, text="Old")
    sticky.text, sticky.kind, sticky.rank, sticky.version = "New", Kind.QUESTION, "b0", 9
    sticky.parked, sticky.deleted_at = True, timezone.now()
    rows.update(sticky)
    assert as_stored(Sticky.objects.get(pk=sticky.pk)) == as_stored(sticky)


def test_insert_writes_a_new_row(board: Workshop, alice: Participant) -> None:
    sticky = Sticky(workshop=board, kind=Kind.CHECK, text="Gate", rank="a0", created_by=alice)
    rows.insert(sticky)
    assert as_stored(Sticky.objects.get(pk=sticky.pk)) == as_stored(sticky)
    operation = Operation(workshop=board, seq=1, participant=alice, action="add", summary="s")
    operation.entities = [f"sticky:{sticky.pk}"]
    rows.insert(operation)
    assert Operation.objects.get(workshop=board, seq=1).entities == [f"sticky:{sticky.pk}"]
