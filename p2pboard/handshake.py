"""The websocket handshake's own check, before the session is read: a socket is opened only by
this site's own pages. The rule is Django's CSRF origin rule for a form: the `Origin` header must
be this site's scheme and host, port included (a page on another port of the same host is another
site, and must not ride a visitor's session), or be listed in CSRF_TRUSTED_ORIGINS; and the host
must be in ALLOWED_HOSTS. Behind a TLS-terminating proxy, SECURE_PROXY_SSL_HEADER tells
wss from ws, as it tells https from http for a request."""

import io
import logging
from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.handlers.asgi import ASGIRequest
from django.utils.http import is_same_domain

log = logging.getLogger(__name__)

# Refuses a websocket at the handshake (the server answers HTTP 403).
refuse = WebsocketDenier.as_asgi()


class Handshake(ASGIRequest):
    """A websocket's opening request as Django sees a request: its headers, host and scheme."""

    def __init__(self, scope: dict[str, Any]) -> None:
        super().__init__(dict(scope, method="GET"), io.BytesIO())

    def _get_scheme(self) -> str:
        return "https" if self.scope.get("scheme", "ws") in {"wss", "https"} else "http"


def trusted(origin: str) -> bool:
    """Listed in CSRF_TRUSTED_ORIGINS, exactly or under a `https://*.example.org` pattern."""
    patterns = settings.CSRF_TRUSTED_ORIGINS
    if origin in patterns:
        return True
    try:
        parts = urlsplit(origin)
    except ValueError:
        return False
    return any(
        is_same_domain(parts.netloc, pattern.netloc.lstrip("*"))
        for pattern in (urlsplit(p) for p in patterns if "*" in p)
        if pattern.scheme == parts.scheme
    )


def from_this_site(handshake: Handshake) -> bool:
    origin = handshake.headers.get("Origin", "")
    try:
        host = handshake.get_host()
    except DisallowedHost:
        host = handshake.headers.get("Host", "")
        log.warning("Websocket refused: the host %r is not in ALLOWED_HOSTS.", host)
        return False
    own = f"{handshake.scheme}://{host}"
    if origin.lower() == own.lower() or (origin and trusted(origin)):
        return True
    log.warning("Websocket refused: it comes from %r, not from %s.", origin or "no origin", own)
    return False


class SameOriginOnly:
    """ASGI middleware: a websocket from another origin is refused before anything else runs."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] == "websocket" and not from_this_site(Handshake(scope)):
            return await refuse(scope, receive, send)
        return await self.inner(scope, receive, send)
