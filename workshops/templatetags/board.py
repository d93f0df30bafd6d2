"""Template filters of the board: a sticky drawn by its partial, rendered once per version."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from workshops.models import Sticky
from workshops.rendering import sticky_html

register = template.Library()


@register.filter
def drawn(sticky: Sticky) -> SafeString:
    """The sticky as `board.html#sticky` draws it (escaped there)."""
    return mark_safe(sticky_html(sticky))  # noqa: S308 (rendered by the template engine)
