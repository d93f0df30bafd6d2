"""ASGI entry point: HTTP goes to Django; websockets pass an Origin check (p2pboard/handshake.py),
turn away a session closed for flooding a moment ago (workshops/consumers.py) and session auth,
then reach the app's consumers; a websocket to any other path is refused."""

import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2pboard.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import re_path  # noqa: E402

from p2pboard.handshake import SameOriginOnly, refuse  # noqa: E402
from p2pboard.process import settle  # noqa: E402
from workshops.consumers import ServerSend, TurnAwayFlooders  # noqa: E402
from workshops.routing import websocket_urlpatterns  # noqa: E402

# A path no route takes is refused at the handshake (HTTP 403), not answered with a 500 and a
# traceback in the log.
routes = URLRouter([*websocket_urlpatterns, re_path(r"", refuse)])

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": SameOriginOnly(TurnAwayFlooders(ServerSend(AuthMiddlewareStack(routes)))),
    }
)

# Loaded now what the first requests would, frozen out of the collector's full passes; glibc
# asked to keep freed memory; the interpreter's switch interval shortened (p2pboard/process.py).
settle()

# Under Daphne, autobahn formats the arguments of a debug log line for every frame it sends,
# debug logging or not, colouring them with click (installed for Uvicorn) when it can: about a
# twentieth of the event loop's time when a board is busy. Plain text is as good for a line
# nobody logs.
if autobahn_util := sys.modules.get("autobahn.util"):
    autobahn_util._HAS_CLICK = False  # type: ignore[attr-defined]
