"""The one security header Django does not send from a setting: Permissions-Policy, which denies
the pages the browser features p2pboard does not use (settings.PERMISSIONS_POLICY)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils.deprecation import MiddlewareMixin


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The header's value: `camera=()` for a feature denied to every page, `clipboard-write=(self)`
    for one allowed to this site's own pages."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in features.items())


class PermissionsPolicyMiddleware(MiddlewareMixin):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy(settings.PERMISSIONS_POLICY)
        return response
