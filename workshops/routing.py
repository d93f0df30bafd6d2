"""Websocket routes of the workshops app."""

from django.urls import path

from workshops.consumers import BoardConsumer

websocket_urlpatterns = [
    path("ws/w/<str:slug>/", BoardConsumer.as_asgi()),
]
