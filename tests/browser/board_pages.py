"""Helpers for board journeys: people on a board in their own browser contexts, and the
board as each of them sees it."""

import time
from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.models import User
from django.contrib.sessions.backends.db import SessionStore
from playwright.sync_api import Browser, Locator, Page, expect

from workshops import services
from workshops.access import remember_participant
from workshops.models import Sticky, Workshop

SEEN = """() => [...document.querySelectorAll('.sticky[data-id]')].map((s) => [
  s.dataset.id, s.dataset.kind, s.querySelector('.text')?.textContent,
  s.closest('[data-place]')?.dataset.place, s.closest('.column')?.dataset.id ?? null,
])"""


def open_board(browser: Browser, base_url: str, workshop: Workshop, **who: Any) -> Page:
    """A new browser context for one person (a facilitator `user` or a guest `name`)."""
    session = SessionStore()
    if user := who.get("user"):
        assert isinstance(user, User)
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    else:
        remember_participant(
            session, services.participant_join(workshop=workshop, name=who["name"])
        )
    session.create()
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies([{"name": "sessionid", "value": str(session.session_key), "url": base_url}])
    page = context.new_page()
    page.goto(f"{base_url}/w/{workshop.slug}/")
    expect(page.locator("#live-status")).to_have_text("Live")
    return page


def add(page: Page, text: str, kind_key: str = "1") -> None:
    page.keyboard.press(f"Alt+{kind_key}")
    page.locator("#add-text").fill(text)
    page.locator("#add-text").press("Enter")


def drag(page: Page, source: Locator, target: Locator, *, x: float = 0.5, y: float = 0.5) -> None:
    """Drag like a hand does: press, move in small steps, release (x, y: where on the target,
    as fractions of its size)."""
    start, end = source.bounding_box(), target.bounding_box()
    assert start and end
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + start["width"] / 2 + 8, start["y"] + start["height"] / 2, steps=4)
    page.mouse.move(end["x"] + end["width"] * x, end["y"] + end["height"] * y, steps=20)
    page.mouse.up()


def seen(page: Page) -> list[list[Any]]:
    return page.evaluate(SEEN)


def stored(workshop: Workshop) -> set[str]:
    return set(
        Sticky.objects.filter(workshop=workshop, deleted_at__isnull=True).values_list(
            "text", flat=True
        )
    )


def timeline(page: Page) -> list[str]:
    return page.locator("#timeline > .column > .sticky .text").all_text_contents()


def wait_until_same(*pages: Page, timeout: float = 10) -> list[list[Any]]:
    deadline = time.monotonic() + timeout
    while True:
        views = [seen(page) for page in pages]
        if all(view == views[0] for view in views):
            return views[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"boards differ: {views}")
        time.sleep(0.2)
