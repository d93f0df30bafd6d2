"""URLs of p2pboard."""

from axes.decorators import axes_dispatch
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

from workshops import views
from workshops.exports.formats import EXPORTS

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("help/", views.guide, name="guide"),
    path("help/img/<str:name>", views.guide_image, name="guide_image"),
    path("accounts/signup/", views.signup, name="signup"),
    # Both login pages first ask django-axes whether this username is paused from this address.
    path("accounts/login/", axes_dispatch(auth_views.LoginView.as_view()), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("w/new/", views.workshop_new, name="workshop_new"),
    path("w/import/", views.workshop_import, name="workshop_import"),
    path("w/<str:slug>/", views.board, name="board"),
    path("w/<str:slug>/manage/", views.manage, name="manage"),
    path("w/<str:slug>/end/", views.workshop_end, name="workshop_end"),
    path("w/<str:slug>/delete/", views.workshop_delete, name="workshop_delete"),
    path("w/<str:slug>/starter/", views.workshop_starter, name="workshop_starter"),
    path("w/<str:slug>/history/", views.history, name="history"),
    path("w/<str:slug>/compare/", views.compare, name="compare"),
    path("w/<str:slug>/ideal/", views.ideal_start, name="ideal_start"),
    path("w/<str:slug>/board/", views.board_content, name="board_content"),
    # Every file the board gives away, from the one list (workshops/exports/formats.py).
    *(
        path(f"w/<str:slug>/{export.path}", views.export, {"file_type": name}, name=export.url)
        for name, export in EXPORTS.items()
    ),
    path("w/<str:slug>/insight/", views.insight_strip, name="insight_strip"),
    path("w/<str:slug>/duplicates/", views.duplicates, name="duplicates"),
    path(
        "w/<str:slug>/links/<str:link>/regenerate/",
        views.link_regenerate,
        name="link_regenerate",
    ),
    path(
        "w/<str:slug>/people/<int:participant_id>/rename/",
        views.participant_rename,
        name="participant_rename",
    ),
    path(
        "w/<str:slug>/people/<int:participant_id>/remove/",
        views.participant_remove,
        name="participant_remove",
    ),
    path(
        "w/<str:slug>/people/<int:participant_id>/undo/",
        views.participant_undo,
        name="participant_undo",
    ),
    path(
        "w/<str:slug>/stickies/<uuid:sticky_id>/restore/",
        views.sticky_restore,
        name="sticky_restore",
    ),
    path("w/<str:slug>/facilitators/", views.co_facilitator_add, name="co_facilitator_add"),
    path(
        "w/<str:slug>/facilitators/<int:user_id>/remove/",
        views.co_facilitator_remove,
        name="co_facilitator_remove",
    ),
    path("j/<str:token>/", views.join, name="join"),
    path("o/<str:token>/", views.observe, name="observe"),
    path("r/<str:token>/", views.rejoin, name="rejoin"),
    path("admin/login/", axes_dispatch(admin.site.login)),
    path("admin/", admin.site.urls),
]
