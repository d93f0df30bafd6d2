"""How a server process settles in once the app is loaded, each measured (benchmarks/README.md,
"Round two, settling in"): what its first requests would load is loaded now and frozen out of
the garbage collector's full passes, and glibc keeps the memory of big frames for the next
ones."""

import ctypes
import gc
import logging
import sys
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.template import engines
from django.urls import get_resolver
from django.utils import formats
from django.utils.module_loading import import_string

from workshops.nudges import load_lexicon

log = logging.getLogger(__name__)

# glibc's mallopt parameters (malloc.h).
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
# Freed memory glibc keeps (rather than handing back at once), and the size from which a block
# gets pages of its own: a reveal's frame is 256 KiB for each of 50 sockets; a big board's page
# and snapshot are megabytes.
KEEP_FREED = 64 * 2**20
OWN_PAGES_FROM = 16 * 2**20


def settle() -> None:
    """Call once the ASGI application is built, before serving."""
    load_what_requests_would()
    keep_freed_memory()
    # Everything loaded so far lives as long as the process: keep it out of the collector's
    # full passes, which otherwise stall every socket for tens of milliseconds; the garbage
    # that loading made goes first rather than being kept for ever.
    gc.collect()
    gc.freeze()
    # Database work runs in a thread beside the event loop; let the loop have the interpreter
    # back within half a millisecond rather than Python's default five, which showed as latency.
    sys.setswitchinterval(0.0005)


def load_what_requests_would() -> None:
    """Import every view (the URLconf) and what the first requests import, compile every
    template of ours, and read the past-tense hint's word lists (else read while the first
    board is drawn). Loaded after the freeze, these were three quarters of the objects in each
    full pass of the collector: 30-45 ms each, one in the middle of a reveal."""
    get_resolver().url_patterns  # noqa: B018  # imports every view and what they use
    import_module("django.db.models.sql.compiler")
    for name in (settings.SESSION_SERIALIZER, settings.MESSAGE_STORAGE):
        import_string(name)
    caches["default"]
    formats.get_format("DATETIME_FORMAT")
    engine = engines["django"].engine  # type: ignore[attr-defined]
    engine.template_context_processors  # noqa: B018
    for folder in engine.dirs:
        for template in sorted(Path(folder).rglob("*.html")):
            engine.get_template(template.relative_to(folder).as_posix())
    load_lexicon()


def keep_freed_memory() -> bool:
    """Have glibc keep freed memory for reuse. By default it gives a freed block of more than
    128 KiB (or the top of its heap past twice that) back to the system at once, so the next
    such block is fresh pages, each faulted in and zeroed: handing one 256 KiB frame to 51
    sockets cost 8 ms of that per copy, twice (Daphne's encoding, autobahn's framing), against
    1 ms with the memory kept. Elsewhere than glibc: nothing changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (AttributeError, OSError):
        return False
    done = (
        mallopt(M_TRIM_THRESHOLD, KEEP_FREED) == 1
        and mallopt(M_MMAP_THRESHOLD, OWN_PAGES_FROM) == 1
    )
    if not done:
        log.info("glibc's malloc settings were not changed")
    return done
