"""Template filters of the board: a sticky drawn once per version."""

from django import template
from django.utils.safestring import SafeString, mark_safe

from workshops.models import Sticky
from workshops.rendering import sticky_html

register = template.Library()


@register.filter
def drawn(sticky: Sticky) -> SafeString:
    """The sticky as `rendering.sticky_html` draws it (escaped there)."""
    return mark_safe(sticky_html(sticky))  # noqa: S308 (every value escaped in rendering._draw)
