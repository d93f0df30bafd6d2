"""How a server process settles in (p2pboard/process.py): what the first requests would load is
loaded before the garbage collector's freeze, and glibc is asked to keep freed memory."""

import platform
import sys

import pytest
from django.core.handlers.base import BaseHandler
from django.template import engines
from django.test import Client
from django.urls import reverse

from p2pboard.process import keep_freed_memory, load_what_requests_would
from workshops.models import Participant, Workshop


def test_the_first_requests_load_nothing_new(
    client: Client, board: Workshop, alice: Participant
) -> None:
    """Anything a request imports after the freeze stays in every full pass of the collector
    for the life of the process (30-45 ms a pass, measured): the pages a workshop's people and
    its facilitator open first find it all loaded."""
    BaseHandler().load_middleware()  # as the ASGI application, built before the freeze
    load_what_requests_would()
    loaded = set(sys.modules)
    client.force_login(board.owner)
    for page in (
        reverse("home"),
        reverse("workshop_new"),
        reverse("board", args=[board.slug]),
        reverse("history", args=[board.slug]),
        reverse("join", args=[board.participant_token]),
    ):
        assert client.get(page).status_code in {200, 302}, page

    assert sorted(set(sys.modules) - loaded) == []


def test_every_template_of_ours_is_compiled_beforehand() -> None:
    load_what_requests_would()
    engine = engines["django"].engine  # type: ignore[attr-defined]
    compiled = engine.template_loaders[0].get_template_cache
    for name in ("base.html", "workshops/board.html", "workshops/work/votes.html"):
        assert name in compiled


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's mallopt")
def test_glibc_takes_the_memory_settings() -> None:
    assert keep_freed_memory()
