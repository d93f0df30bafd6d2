"""What someone sees when logins are paused for a username from their address (django-axes,
settings AXES_*): the login page again, saying how long to wait, with status 429."""

import math
from datetime import datetime, timedelta
from typing import Any

from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def paused_until(request: Any, username: str) -> datetime:
    """When this username may log in from this address again: a cool-off after its latest
    failure (the failures are counted per username and address)."""
    cool_off = get_cool_off(request) or timedelta(0)
    latest = AccessAttempt.objects.filter(
        username=username, ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(latest=Max("attempt_time"))["latest"]
    return (latest or timezone.now()) + cool_off


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    username = get_client_username(request, credentials) or ""
    wait = paused_until(request, username) - timezone.now()
    form = AuthenticationForm(request, initial={"username": username})
    context = {
        "form": form,
        "next": request.POST.get("next", request.GET.get("next", "")),
        "paused_minutes": max(1, math.ceil(wait.total_seconds() / 60)),
    }
    return render(request, "registration/login.html", context, status=429)
