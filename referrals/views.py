from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, TypedDict, cast
from urllib.parse import quote, urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST, require_safe
from wagtail.models import Site

from community.models import User
from hearth.http import AuthenticatedHttpRequest
from hearth.i18n import reader_locale
from hearth.rules import add_to_form, flash
from referrals import actions, attribution, invites, leaderboard, points
from referrals.forms import InviteForm
from referrals.models import (
    Award,
    AwardRun,
    Invite,
    MemberBadge,
    Referral,
    ReferralLink,
    Stage,
    Visit,
)
from referrals.periods import ALL_TIME, month_of, parse_month

REFERRALS_PER_PAGE = 25
POINTS_LINES_PER_PAGE = 25
INVITES_SHOWN = 20
HALL_OF_FAME_PERIODS_PER_PAGE = 12
INVITE_FIELDS_TIMEOUT = 24 * 3600

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    class LinkStats(TypedDict):
        people: int
        signups: int
        conversions: int

    # A link as _links_with_stats() gives it.
    LinkWithStats = WithAnnotations[ReferralLink, LinkStats]


# --- helpers ------------------------------------------------------------------------------


def _share_links(url: str, text: str) -> list[tuple[str, str]]:
    return [
        (
            _("Email"),
            f"mailto:?subject={quote(text)}&body={quote(f'{text}: {url}')}",
        ),
        ("WhatsApp", "https://wa.me/?" + urlencode({"text": f"{text} {url}"})),
        ("Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})),
        ("X", "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": text})),
        (
            "LinkedIn",
            "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        ),
        ("Telegram", "https://t.me/share/url?" + urlencode({"url": url, "text": text})),
        ("Reddit", "https://www.reddit.com/submit?" + urlencode({"url": url, "title": text})),
    ]


def _content_target(request: HttpRequest, raw_path: str) -> tuple[str, str]:
    """(path, title) of a guide, blog post or forum topic on this site, or raise ValueError."""
    raw_path = (raw_path or "").strip()
    if not raw_path:
        raise ValueError(_("Say which page to share: the link needs a path such as /guides/..."))
    if len(raw_path) > 300:
        raise ValueError(_("That address is too long to be a page on this site."))
    parts = urlsplit(raw_path)
    path = parts.path
    if parts.scheme or parts.netloc or not path.startswith("/") or path.startswith("//"):
        raise ValueError(_("Only pages on this site can be shared with a referral link."))
    try:
        match = resolve(path)
    except Resolver404:
        raise ValueError(_("There is no page at that address.")) from None
    if match.view_name in settings.REFERRAL_SHAREABLE_VIEWS:
        return path, ""
    if match.url_name == "wagtail_serve":
        site = Site.find_for_request(request)
        components = [c for c in path.split("/") if c]
        if site is None or not components:
            raise ValueError(_("Your personal link already points at the home page."))
        try:
            route = site.root_page.specific.route(request, components)
        except Http404:
            raise ValueError(_("There is no published page at that address.")) from None
        page = route.page
        if not page.live or page.get_view_restrictions().exists():
            raise ValueError(_("That page is not public, so it cannot be shared."))
        return path, page.title
    raise ValueError(_("Only guides, blog posts and forum topics can be shared with a link."))


def _int_subquery(queryset) -> Coalesce:
    return Coalesce(Subquery(queryset, output_field=IntegerField()), 0)


def _links_with_stats(owner: User):
    def count(qs):
        return _int_subquery(
            qs.order_by().values("link_id").annotate(n=Count("pk")).values("n")[:1]
        )

    return (
        ReferralLink.objects.filter(owner=owner)
        .annotate(
            people=count(Visit.objects.filter(link=OuterRef("pk"), is_crawler=False)),
            signups=count(Referral.objects.filter(link=OuterRef("pk"))),
            conversions=count(Referral.objects.filter(link=OuterRef("pk"), stage=Stage.CONVERTED)),
        )
        .order_by("target_path")
    )


def _invite_rows(member: User) -> list[dict]:
    invites = list(
        Invite.objects.filter(sender=member).only("email", "created_at", "expires_at")[
            :INVITES_SHOWN
        ]
    )
    joined = (
        set(
            Referral.objects.filter(invite__in=[i.pk for i in invites]).values_list(
                "invite_id", flat=True
            )
        )
        if invites
        else set()
    )
    now = timezone.now()
    rows = []
    for invite in invites:
        if invite.pk in joined:
            status = "joined"
        elif invite.expires_at <= now:
            status = "expired"
        else:
            status = "sent"
        rows.append({"invite": invite, "status": status})
    return rows


def _mine_context(
    request: AuthenticatedHttpRequest, *, invite_form: InviteForm | None = None
) -> dict:
    member = request.user
    links = list(_links_with_stats(member))
    # The personal link is the one to no page in particular: made on the first visit.
    personal = next((link for link in links if not link.target_path), None)
    if personal is None:
        personal = cast("LinkWithStats", actions.get_or_create_link(owner=member))
        personal.people = personal.signups = personal.conversions = 0
        links.insert(0, personal)
    page = Paginator(
        Referral.objects.filter(referrer=member).select_related("referee", "link"),
        REFERRALS_PER_PAGE,
    ).get_page(request.GET.get("page"))
    month = month_of()
    share_text = _("Join me on %(site_name)s") % {"site_name": settings.SITE_NAME}
    return {
        "personal": personal,
        "personal_stats": personal,
        "content_links": [link for link in links if link.target_path],
        "share_links": _share_links(personal.full_url, share_text),
        "share_text": share_text,
        "page": page,
        "invite_form": invite_form or InviteForm(),
        # The empty form is the same for everyone: its fields are rendered once.
        "invite_fields": _empty_invite_fields() if invite_form is None else None,
        "invites": _invite_rows(member),
        "invite_limit": settings.REFERRAL_INVITES_PER_DAY,
        "balance": points.balance(member),
        "ledger": member.points_entries.all()[:10],
        "badges": list(MemberBadge.objects.filter(member=member)),
        "standing": leaderboard.standing(month.key, member),
        "month": month,
        "stage_choices": Stage.choices,
    }


def _empty_invite_fields() -> SafeString:
    """The fields of an empty invitation form, rendered once per language and kept. The
    key holds the templates' source and the form's fields: a deploy that changes either
    renders them anew."""
    templates: list[Any] = [
        loader.get_template(name)
        for name in ("_form_fields.html", "_form_field.html", "_error_summary.html")
    ]
    fields = tuple(
        (name, type(field).__name__, str(field.label), str(field.help_text))
        for name, field in InviteForm.base_fields.items()
    )
    sources = tuple(t.template.source for t in templates)
    shape = repr((sources, fields, reader_locale()))
    key = f"referrals:invite-fields:{hashlib.blake2b(shape.encode(), digest_size=16).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = templates[0].render({"form": InviteForm()})
        cache.set(key, html, INVITE_FIELDS_TIMEOUT)
    return mark_safe(html)  # noqa: S308 (rendered by the template)


def _get_link(code: str) -> ReferralLink:
    return get_object_or_404(ReferralLink, code=attribution.normalise_code(code) or "")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- the link itself ------------------------------------------------------------------


@require_safe
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """/r/<code>/: log the visit (one INSERT), set the visit cookie, redirect."""
    normalised = attribution.normalise_code(code)
    info = attribution.link_info(normalised) if normalised else None
    if info is None or info.disabled:
        return redirect("/")
    response = HttpResponseRedirect(info.destination)
    visitor = actions.record_visit(link=info, request=request)
    if visitor is not None:
        attribution.set_visitor_cookie(response, visitor)
    return response


# --- the member's pages -----------------------------------------------------------------


@login_required
@require_GET
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "referrals/mine.html", _mine_context(request))


@login_required
@require_GET
def points_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """/points/: the balance and the ledger in plain words, alike small rows of a day on
    one line; the same few queries however long the ledger."""
    member = request.user
    page = Paginator(points.ledger_groups(member), POINTS_LINES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "balance": points.balance(member),
        "page": page,
        "lines": points.ledger_lines(page.object_list),
        "earning": points.earning_rules(),
    }
    return render(request, "referrals/points.html", context)


@login_required
@require_POST
def invite(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            result = invites.send_invites(
                sender=request.user,
                emails=form.cleaned_data["emails"],
                note=form.cleaned_data["note"],
            )
        except actions.ReferralError as error:
            add_to_form(form, error)
        else:
            count = len(result.invited)
            remaining = result.remaining_today
            sent = ngettext(
                "Your invitation is on its way to %(count)s address.",
                "Your invitation is on its way to %(count)s addresses.",
                count,
            ) % {"count": count}
            more = ngettext(
                "You can invite %(n)s more today.", "You can invite %(n)s more today.", remaining
            ) % {"n": remaining}
            messages.success(request, f"{sent} {more}")
            return redirect(reverse("referrals:mine") + "#invite")
    context = _mine_context(request, invite_form=form)
    return render(request, "referrals/mine.html", context, status=400)


@login_required
@require_GET
def share(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        path, title = _content_target(request, request.GET.get("path", ""))
    except ValueError as exc:
        return render(request, "referrals/share.html", {"error": str(exc)}, status=400)
    link = actions.get_or_create_link(owner=request.user, target_path=path, target_title=title)
    if title:
        text = _("%(title)s on %(site_name)s") % {"title": title, "site_name": settings.SITE_NAME}
    else:
        text = _("Have a look at this on %(site_name)s") % {"site_name": settings.SITE_NAME}
    return render(
        request,
        "referrals/share.html",
        {
            "link": link,
            "title": title or path,
            "share_text": text,
            "share_links": _share_links(link.full_url, text),
        },
    )


@login_required
@require_POST
def disable_link(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _set_link_enabled(request, code, enabled=False)


@login_required
@require_POST
def enable_link(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    return _set_link_enabled(request, code, enabled=True)


def _set_link_enabled(
    request: AuthenticatedHttpRequest, code: str, *, enabled: bool
) -> HttpResponse:
    link = _get_link(code)
    try:
        actions.set_link_enabled(link=link, by=request.user, enabled=enabled)
    except actions.ReferralError as error:
        flash(request, error)
    else:
        messages.success(
            request,
            (
                _("The link %(path)s is working again.")
                if enabled
                else _("The link %(path)s is disabled.")
            )
            % {"path": f"/r/{link.code}/"},
        )
    return redirect(_safe_next(request, reverse("referrals:mine")))


# --- public pages ------------------------------------------------------------------------


@require_GET
@leaderboard.kept_for_visitors
def leaderboard_view(request: HttpRequest) -> HttpResponse:
    all_time = request.GET.get("period") == "all"
    month = month_of()
    period = ALL_TIME if all_time else month.key
    context = {
        "all_time": all_time,
        "month": month,
        "rows": leaderboard.board(period),
    }
    if request.user.is_authenticated:
        context["standing"] = leaderboard.standing(period, request.user)
    return render(request, "referrals/leaderboard.html", context)


@require_GET
def hall_of_fame(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        AwardRun.objects.filter(winners__gt=0).order_by("-period"), HALL_OF_FAME_PERIODS_PER_PAGE
    ).get_page(request.GET.get("page"))
    periods = [run.period for run in page]
    awards = (
        Award.objects.filter(period__in=periods, member__is_active=True)
        .select_related("member")
        .order_by("-period", "rank", "member__username")
    )
    by_period: dict[str, list[Award]] = {p: [] for p in periods}
    for award in awards:
        by_period[award.period].append(award)
    months = [{"month": parse_month(p), "awards": by_period[p]} for p in periods]
    return render(request, "referrals/hall_of_fame.html", {"page": page, "months": months})
