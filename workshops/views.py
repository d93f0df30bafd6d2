"""Pages of p2pboard. Thin: find the workshop and the visitor's access, call a service, render."""

import re
from uuid import UUID

import markdown
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.safestring import mark_safe
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails
from segno import make_qr

from workshops import access, entities, rates, services
from workshops.agenda import PHASES, PhaseInfo
from workshops.compare import comparison_of
from workshops.exports.formats import EXPORTS, Source, Unavailable
from workshops.forms import CoFacilitatorForm, NameForm, SignupForm, StarterForm, WorkshopForm
from workshops.insight import days_text
from workshops.insight_strip import strip_context
from workshops.models import Participant, Workshop
from workshops.rendering import board_context, render_board
from workshops.services.agenda import PURPOSES
from workshops.services.imports import MOST_BYTES, ImportRefused, read_upload, too_big
from workshops.services.imports import workshop_import as import_map
from workshops.starters import BLANK, STARTERS
from workshops.visibility import Viewer, views


class PageRequest(HttpRequest):
    htmx: HtmxDetails


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


GUIDE = settings.BASE_DIR / "docs" / "facilitating.md"
GUIDE_IMAGES = GUIDE.parent / "img"


@require_GET
def guide(request: HttpRequest) -> HttpResponse:
    """The facilitator's guide (docs/facilitating.md), the same text the repository shows."""
    html = markdown.markdown(GUIDE.read_text(), extensions=["sane_lists"])
    html = html.replace('src="img/', f'src="{reverse("guide")}img/')
    return render(request, "guide.html", {"guide": mark_safe(html)})  # noqa: S308 (our own docs)


@require_GET
def guide_image(request: HttpRequest, name: str) -> FileResponse:
    path = GUIDE_IMAGES / name
    if not re.fullmatch(r"[\w-]+\.png", name) or not path.is_file():
        raise Http404("No such picture in the guide.")
    return FileResponse(path.open("rb"), content_type="image/png")


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "home.html")
    return render(request, "workshops/list.html", _your_workshops(request))


def _your_workshops(request: HttpRequest) -> dict[str, object]:
    workshops = (
        Workshop.objects.filter(Q(owner=request.user) | Q(co_facilitators=request.user))
        .distinct()
        .annotate(people=Count("participants", filter=Q(participants__removed_at__isnull=True)))
        .select_related("owner")
    )
    return {
        "active": [w for w in workshops if w.is_active],
        "ended": [w for w in workshops if not w.is_active],
    }


@login_required
@csrf_exempt  # checked by _import_map, once the request is known not to be too big to read
@require_POST
def workshop_import(request: HttpRequest) -> HttpResponse:
    """A map file (JSON) uploaded from the workshop list becomes a new workshop of the
    uploader's; a file that cannot be imported is refused on the list, saying why, and nothing
    is made. One too big is refused before its upload is read."""
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if size > MOST_BYTES + 64 * 1024:  # (the form around the file takes a few hundred bytes)
        return _import_refused(request, [too_big(size)], status=413)
    return _import_map(request)


@csrf_protect
def _import_map(request: HttpRequest) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        return _import_refused(request, ["Choose a map file (.json) to import."])
    try:
        raw = read_upload(upload, upload.size)
        imported = import_map(owner=request.user, raw=raw)  # type: ignore[arg-type]
    except ImportRefused as refused:
        return _import_refused(request, refused.problems, name=upload.name or "")
    messages.success(request, f"Imported “{imported.workshop.title}” as a new workshop.")
    for note in imported.notes:
        messages.info(request, note)
    return redirect("board", slug=imported.workshop.slug)


def _import_refused(
    request: HttpRequest, problems: list[str], *, name: str = "", status: int = 400
) -> HttpResponse:
    context = _your_workshops(request) | {"import_problems": problems, "import_name": name}
    return render(request, "workshops/list.html", context, status=status)


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user)
        messages.success(request, f"Welcome, {user.get_username()}. Create your first workshop.")
        return redirect("workshop_new")
    return render(request, "registration/signup.html", {"form": form})


@login_required
def workshop_new(request: HttpRequest) -> HttpResponse:
    form = WorkshopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        starter = form.cleaned_data.pop("starter")
        workshop = services.workshop_create(owner=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        me = services.facilitator_participant(workshop=workshop, user=request.user)  # type: ignore[arg-type]
        services.workshop_apply_starter(workshop=workshop, by=me, starter=starter)
        if starter != BLANK:
            messages.success(
                request, f"The board starts from the template “{STARTERS[starter].name}”."
            )
        return redirect("board", slug=workshop.slug)
    return render(request, "workshops/new.html", {"form": form})


def _links(request: HttpRequest, workshop: Workshop) -> dict[str, str]:
    join = request.build_absolute_uri(reverse("join", args=[workshop.participant_token]))
    watch = request.build_absolute_uri(reverse("observe", args=[workshop.observer_token]))
    qr = make_qr(join, error="m").svg_inline(scale=5, border=2, title="QR code of the link to join")
    return {"join_url": join, "observe_url": watch, "join_qr": qr}


def _visitor(request: HttpRequest, slug: str) -> access.Access:
    workshop = access.workshop_by_slug(slug)
    return services.access_of(workshop=workshop, user=request.user, session=request.session)


def board(request: HttpRequest, slug: str) -> HttpResponse:
    me = _visitor(request, slug)
    workshop = me.workshop
    people, observers = services.present(workshop)
    context = {
        "me": me,
        "present_people": people,
        "observers": observers,
        "board_html": render_board(workshop, me.viewer),
        **board_context(workshop),
        **agenda_context(workshop, me.viewer),
        **strip_context(workshop),
    }
    if me.is_facilitator:
        context |= _links(request, workshop)
    elif me.participant is not None:
        context["rejoin_url"] = request.build_absolute_uri(
            reverse("rejoin", args=[me.participant.rejoin_token])
        )
    return render(request, "workshops/board.html", context)


@require_GET
def board_content(request: HttpRequest, slug: str) -> HttpResponse:
    """The board alone (`#board-content`), as this visitor sees it now: what a page fetches
    when the board is too big to come over its socket in one frame."""
    me = _visitor(request, slug)
    html = render_board(me.workshop, me.viewer)
    return HttpResponse(html, headers={"Cache-Control": "private, no-store"})


def _phase_json(info: PhaseInfo) -> dict[str, object]:
    return {
        "label": str(info.phase.label),
        "now": info.now,
        "tips": list(info.tips),
        "kinds": list(info.kinds),
        "controls": list(info.controls),
        "minutes": info.minutes,
    }


def agenda_context(workshop: Workshop, viewer: Viewer) -> dict[str, object]:
    """What the agenda bar and the phases' panels need: the phases, the board's state, who is
    ready, and the phase work's entities (votes, the round, timings, actions) as this viewer
    may see them."""
    people = list(workshop.participants.filter(removed_at__isnull=True))
    facilitators = {person.pk for person in people if person.user_id is not None}
    return {
        "phases": list(PHASES.values()),
        "phase": PHASES[workshop.phase],
        "agenda_phases": {key: _phase_json(info) for key, info in PHASES.items()},
        "board_state": entities.board_state(workshop).state,
        "people_state": [
            state | {"facilitator": state["id"] in facilitators}
            for state in entities.people_states(people, viewer)
        ],
        "work_state": views(viewer, entities.states(entities.work_of(workshop))),
        "followup_purposes": PURPOSES,
    }


def join(request: HttpRequest, token: str) -> HttpResponse:
    workshop = Workshop.objects.filter(participant_token=token).first()
    if workshop is None:
        raise Http404(
            "This link to join is not valid any more: the facilitator may have made a new one. "
            "Ask them for the current link."
        )
    if access.is_facilitator(request.user, workshop):
        return redirect("board", slug=workshop.slug)
    returning = access.remembered_participant(request.session, workshop)
    if returning is not None:
        access.require_not_removed(returning)
        return redirect("board", slug=workshop.slug)
    form = NameForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not rates.join_allowed(request.META.get("REMOTE_ADDR", "")):
            form.add_error(
                None,
                "Many people have just joined from your network: "
                "wait a minute, then press Join again.",
            )
            return render(
                request, "workshops/join.html", {"workshop": workshop, "form": form}, status=429
            )
        try:
            participant = services.participant_join(
                workshop=workshop, name=form.cleaned_data["name"]
            )
        except ValidationError as problem:
            form.add_error(None, problem)
        else:
            access.remember_participant(request.session, participant)
            return redirect("board", slug=workshop.slug)
    return render(request, "workshops/join.html", {"workshop": workshop, "form": form})


@require_GET
def rejoin(request: HttpRequest, token: str) -> HttpResponse:
    """A participant's personal link: on another device, they come back as themselves (the same
    name, the same stickies, one person in the count), without an account."""
    participant = (
        Participant.objects.select_related("workshop")
        .filter(rejoin_token=token, user__isnull=True)  # facilitators come back by logging in
        .first()
    )
    if participant is None:
        raise Http404("This personal link is not valid. Ask the facilitator for the link to join.")
    access.require_not_removed(participant)
    access.remember_participant(request.session, participant)
    return redirect("board", slug=participant.workshop.slug)


@require_GET
def observe(request: HttpRequest, token: str) -> HttpResponse:
    workshop = Workshop.objects.filter(observer_token=token).first()
    if workshop is None:
        raise Http404(
            "This observer link is not valid any more. Ask the facilitator for the current one."
        )
    access.remember_observer(request.session, workshop)
    return redirect("board", slug=workshop.slug)


# ----- the facilitator's page: links, people, co-facilitators, end -----


def _facilitated(request: HttpRequest, slug: str) -> Workshop:
    workshop = access.workshop_by_slug(slug)
    access.require_facilitator(workshop=workshop, user=request.user)
    return workshop


def _me(request: HttpRequest, workshop: Workshop) -> Participant:
    """The facilitator's own place on the board, from which they change it over HTTP."""
    return services.facilitator_participant(workshop=workshop, user=request.user)  # type: ignore[arg-type]


def _manage_context(request: HttpRequest, workshop: Workshop) -> dict[str, object]:
    return {
        "workshop": workshop,
        "participants": workshop.participants.filter(user__isnull=True, removed_at__isnull=True),
        "removed": workshop.participants.filter(removed_at__isnull=False),
        "co_facilitators": workshop.co_facilitators.order_by("username"),
        "co_facilitator_form": CoFacilitatorForm(),
        "board_is_empty": not workshop.stickies.filter(deleted_at__isnull=True).exists(),
        "starter_form": StarterForm(),
        **_links(request, workshop),
    }


def _manage(request: PageRequest, workshop: Workshop, partial: str = "") -> HttpResponse:
    """The manage page, or just the part an htmx request asked to swap."""
    template = "workshops/manage.html"
    if partial and request.htmx:
        template += f"#{partial}"
    return render(request, template, _manage_context(request, workshop))


def manage(request: PageRequest, slug: str) -> HttpResponse:
    return _manage(request, _facilitated(request, slug))


@require_POST
def link_regenerate(request: PageRequest, slug: str, link: str) -> HttpResponse:
    workshop = _facilitated(request, slug)
    if link not in {"participant", "observer"}:
        raise Http404("No such link.")
    workshop = services.link_regenerate(workshop=workshop, by=request.user, link=link)
    messages.success(request, f"The {link} link is new; the old one no longer works.")
    return _manage(request, workshop, "links")


@require_POST
def participant_rename(request: PageRequest, slug: str, participant_id: int) -> HttpResponse:
    workshop = _facilitated(request, slug)
    form = NameForm(request.POST)
    if form.is_valid():
        participant = services.participant_rename(
            workshop=workshop,
            by=request.user,
            participant_id=participant_id,
            name=form.cleaned_data["name"],
        )
        messages.success(request, f"Renamed to {participant.name}.")
    else:
        messages.error(request, " ".join(str(error) for error in form.errors["name"]))
    return _manage(request, workshop, "participants")


@require_POST
def participant_remove(request: PageRequest, slug: str, participant_id: int) -> HttpResponse:
    workshop = _facilitated(request, slug)
    try:
        participant = services.participant_remove(
            workshop=workshop, by=request.user, participant_id=participant_id
        )
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    else:
        messages.success(request, f"{participant.name} was removed from the workshop.")
    return _manage(request, workshop, "participants")


def _refusal(problem: Exception) -> str:
    """Why a service refused, in words for the person."""
    return " ".join(problem.messages) if isinstance(problem, ValidationError) else str(problem)


@require_POST
def participant_undo(request: PageRequest, slug: str, participant_id: int) -> HttpResponse:
    """Take back what one person added and deleted (the board changes live for everyone)."""
    workshop = _facilitated(request, slug)
    try:
        count = services.participant_undo(
            workshop=workshop, by=_me(request, workshop), op=None, participant=participant_id
        )
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, _refusal(problem))
    else:
        messages.success(request, f"Taken back: {count} sticky change{'s' if count != 1 else ''}.")
    return _manage(request, workshop, "participants")


@require_POST
def sticky_restore(request: HttpRequest, slug: str, sticky_id: UUID) -> HttpResponse:
    """Restore a deleted sticky from the history page (anyone's, by a facilitator)."""
    workshop = _facilitated(request, slug)
    try:
        sticky = services.sticky_restore(
            workshop=workshop, by=_me(request, workshop), op=None, sticky_id=sticky_id
        )
    except (ValidationError, services.Gone, PermissionDenied) as problem:
        messages.error(request, _refusal(problem))
    else:
        messages.success(request, f"Restored “{sticky.text}”.")
    return redirect("history", slug=workshop.slug)


@require_POST
def co_facilitator_add(request: PageRequest, slug: str) -> HttpResponse:
    workshop = _facilitated(request, slug)
    form = CoFacilitatorForm(request.POST)
    if form.is_valid():
        try:
            user = services.co_facilitator_add(
                workshop=workshop,
                by=request.user,
                username_or_email=form.cleaned_data["username_or_email"],
            )
        except ValidationError as problem:
            messages.error(request, " ".join(problem.messages))
        else:
            messages.success(request, f"{user.get_username()} can now facilitate this workshop.")
    else:
        messages.error(request, "Enter the username or email address of their account.")
    return _manage(request, workshop, "co-facilitators")


@require_POST
def co_facilitator_remove(request: PageRequest, slug: str, user_id: int) -> HttpResponse:
    workshop = _facilitated(request, slug)
    try:
        services.co_facilitator_remove(workshop=workshop, by=request.user, user_id=user_id)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    return _manage(request, workshop, "co-facilitators")


@require_POST
def workshop_starter(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = _facilitated(request, slug)
    form = StarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the templates to start from.")
        return redirect("manage", slug=workshop.slug)
    starter = form.cleaned_data["starter"]
    try:
        services.workshop_apply_starter(
            workshop=workshop, by=_me(request, workshop), starter=starter
        )
    except (ValidationError, PermissionDenied) as problem:
        messages.error(request, _refusal(problem))
        return redirect("manage", slug=workshop.slug)
    messages.success(request, f"The board now starts from the template “{STARTERS[starter].name}”.")
    return redirect("board", slug=workshop.slug)


@require_GET
def export(request: HttpRequest, slug: str, file_type: str) -> HttpResponse:
    """A file of the workshop (exports.formats: the map as PDF, JSON, CSV or Markdown, the
    follow-up's invitation). Anyone who may look at the board may take it away; a file that
    cannot be made yet (a follow-up without a time) is 404 with a message saying why."""
    workshop = _visitor(request, slug).workshop
    export = EXPORTS[file_type]
    board_url = request.build_absolute_uri(reverse("board", args=[workshop.slug]))
    try:
        body = export.make(Source(workshop, board_url=board_url))
    except Unavailable as missing:
        return HttpResponse(str(missing), status=404, content_type="text/plain; charset=utf-8")
    filename = export.filename(workshop, timezone.now())
    return HttpResponse(
        body,
        content_type=export.content_type,
        headers={
            "Content-Disposition": content_disposition_header(True, filename),
            "Cache-Control": "private, no-store",
        },
    )


@require_GET
def insight_strip(request: HttpRequest, slug: str) -> HttpResponse:
    """The insight strip's figures as everyone may see them now: what the board page fetches
    again when sizes, votes or the timeline change. For anyone who may look at the board."""
    workshop = _visitor(request, slug).workshop
    response = render(request, "workshops/insight.html#figures", strip_context(workshop))
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def duplicates(request: HttpRequest, slug: str) -> JsonResponse:
    """Likely duplicates on the board (shared stickies only), for the clean-up phase."""
    workshop = _visitor(request, slug).workshop
    return JsonResponse(
        {"suggestions": services.duplicate_suggestions(workshop)},
        headers={"Cache-Control": "private, no-store"},
    )


@require_POST
def ideal_start(request: HttpRequest, slug: str) -> HttpResponse:
    """A facilitator starts an ideal path as a copy of this workshop's map."""
    workshop = _facilitated(request, slug)
    try:
        ideal = services.ideal_start(workshop=workshop, user=request.user)  # type: ignore[arg-type]
    except ImportRefused as refused:
        messages.error(request, "The map could not be copied: " + "; ".join(refused.problems))
        return redirect("manage", slug=workshop.slug)
    messages.success(
        request,
        "This is the ideal path, a copy of the current one: redraw it as the team wants it, "
        "then compare the two.",
    )
    return redirect("board", slug=ideal.slug)


@require_GET
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    """An ideal path beside the current path it was copied from, for whoever may see both."""
    ideal = _visitor(request, slug).workshop
    if ideal.ideal_of is None:
        raise Http404("This workshop is not an ideal path: there is nothing to compare it with.")
    current = _visitor(request, ideal.ideal_of.slug).workshop
    comparison = comparison_of(current=current, ideal=ideal)
    before, after = comparison.before, comparison.after
    figures = [
        {"what": "Steps", "before": before.steps, "after": after.steps},
        {
            "what": "Lead time",
            "before": days_text(before.lead_time),
            "after": days_text(after.lead_time),
        },
        {"what": "Steps without a timing", "before": before.untimed, "after": after.untimed},
        {"what": "Hand-offs", "before": before.hand_offs, "after": after.hand_offs},
        {"what": "Manual gates (checks)", "before": before.gates, "after": after.gates},
        {
            "what": "Pain points on the path",
            "before": before.pain_points,
            "after": after.pain_points,
        },
    ]
    counts = {
        status: comparison.count(status) for status in ("removed", "added", "changed", "kept")
    }
    context = {
        "current": current,
        "ideal": ideal,
        "comparison": comparison,
        "figures": figures,
        "counts": counts,
    }
    return render(request, "workshops/compare.html", context)


@require_GET
def history(request: HttpRequest, slug: str) -> HttpResponse:
    """Every change to the board, newest first, for the facilitators."""
    workshop = _facilitated(request, slug)
    operations = workshop.operations.select_related("participant").order_by("-seq")
    page = Paginator(operations, 100).get_page(request.GET.get("page"))
    deleted = workshop.stickies.filter(deleted_at__isnull=False, private=False).select_related(
        "created_by"
    )
    context = {"workshop": workshop, "page": page, "deleted": deleted.order_by("-deleted_at")}
    return render(request, "workshops/history.html", context)


@require_POST
def workshop_end(request: HttpRequest, slug: str) -> HttpResponse:
    workshop = _facilitated(request, slug)
    try:
        if request.POST.get("reopen"):
            services.workshop_reopen(workshop=workshop, by=_me(request, workshop))
            messages.success(request, "The workshop is open again.")
        else:
            services.workshop_end(workshop=workshop, by=_me(request, workshop))
            messages.success(request, "The workshop has ended; its board is now read-only.")
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
    except PermissionDenied as refusal:
        messages.error(request, str(refusal))
    return HttpResponseRedirect(reverse("manage", args=[workshop.slug]))


def workshop_delete(request: HttpRequest, slug: str) -> HttpResponse:
    """Delete a workshop, after a page that offers its map to download first and asks for its
    title to be typed."""
    workshop = _facilitated(request, slug)
    if workshop.owner_id != request.user.pk:
        raise PermissionDenied("Only the owner of this workshop can delete it.")
    confirmed = request.method == "POST" and request.POST.get("title", "").strip() == (
        workshop.title
    )
    if confirmed:
        services.workshop_delete(workshop=workshop, by=request.user)
        messages.success(request, f"The workshop “{workshop.title}” was deleted.")
        return redirect("home")
    problem = "Type the workshop's title exactly to delete it." if request.method == "POST" else ""
    status = 400 if problem else 200
    context = {"workshop": workshop, "problem": problem}
    return render(request, "workshops/delete.html", context, status=status)
