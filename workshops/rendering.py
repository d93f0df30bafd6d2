"""Rendering stickies once: the same partial draws a sticky on the page, in live patches and in
print, and each version of a sticky is rendered once per process, however many pages show it."""

from typing import TYPE_CHECKING

from django.template.loader import render_to_string

if TYPE_CHECKING:
    from workshops.models import Sticky

CACHE_SIZE = 20_000  # about 16 MiB of html
_rendered: dict[tuple[object, ...], str] = {}


def sticky_html(sticky: "Sticky") -> str:
    author = sticky.created_by
    # Everything the partial shows that can change: the version covers the sticky itself.
    key = (
        sticky.pk,
        sticky.version,
        sticky.deleted_at is None,
        author.name if author else None,
        author.colour if author else None,
    )
    html = _rendered.get(key)
    if html is None:
        html = render_to_string("workshops/board.html#sticky", {"sticky": sticky})
        if len(_rendered) >= CACHE_SIZE:
            _rendered.clear()
        _rendered[key] = html
    return html
