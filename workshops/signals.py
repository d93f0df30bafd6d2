"""Reactions to Django's own events: logging out closes that account's board sockets."""

from typing import Any

from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver

from workshops.services.people import account_sockets_close


@receiver(user_logged_out)
def close_sockets_on_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        account_sockets_close(user=user)
