"""Template filters of the board: a sticky drawn by its partial, rendered once per version."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from workshops import nudges
from workshops.models import Sticky
from workshops.rendering import sticky_html

register = template.Library()


@register.filter
def drawn(sticky: Sticky) -> SafeString:
    """The sticky as `board.html#sticky` draws it (escaped there)."""
    return mark_safe(sticky_html(sticky))  # noqa: S308 (rendered by the template engine)


@register.filter
def past_tense_hint(sticky: Sticky) -> str | None:
    """How an event that does not read as a fact in the past tense could read (a suggestion);
    None for other kinds."""
    return nudges.past_tense_hint(sticky.text) if sticky.is_event else None
