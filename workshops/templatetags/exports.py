"""The files the board gives away (workshops/exports/formats.py), for the pages' links."""

from django import template

from workshops.exports.formats import EXPORTS, Export

register = template.Library()


@register.simple_tag
def exports(where: str = "") -> list[Export]:
    """Every format; `"top bar"`: those with a button of their own on the board, `"more"`: the
    other files of the map."""
    every = list(EXPORTS.values())
    if where == "top bar":
        return [export for export in every if export.on_top_bar]
    if where == "more":
        return [export for export in every if export.of_map and not export.on_top_bar]
    return every
