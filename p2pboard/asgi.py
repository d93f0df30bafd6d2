"""ASGI entry point: HTTP goes to Django; websockets pass an Origin check and session auth,
then reach the app's consumers."""

import gc
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p2pboard.settings")

from django.core.asgi import get_asgi_application

django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from workshops.consumers import ServerSend  # noqa: E402
from workshops.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            ServerSend(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
        ),
    }
)

# Everything loaded so far lives as long as the process: keep it out of the garbage collector's
# full passes, which otherwise stall every socket for tens of milliseconds (docs/architecture.md).
gc.freeze()
# Database work runs in a thread beside the event loop; let the loop have the interpreter back
# within half a millisecond rather than Python's default five, which showed as latency.
sys.setswitchinterval(0.0005)
