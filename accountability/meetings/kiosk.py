"""Kiosk links: a read-only, unguessable, revocable address for one team's meeting screen.

The links' writes (create, revoke) and the kiosk's reads (the link for a token, what it shows
and the key that changes when that changes). The kiosk's views are in kiosk_views.py.
"""

import re
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.text import Truncator

from salesculture.audit import audit_record
from salesculture.models import AuditEvent, Producer, Team
from salesculture.weeks import Week

from ..models import Celebration, KioskLink, Meeting
from ..scorecards.selectors import team_rows
from .presenters import KioskBoard, latest_wins
from .selectors import may_run_meeting, meeting_teams_for

# 32 random bytes from the operating system's CSPRNG: 43 URL-safe characters, 256 bits.
TOKEN_BYTES = 32
TOKEN_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")
LABEL_MAX = 80


# --- writes ---------------------------------------------------------------------------------

class KioskRevoked(Exception):
    """The token is a link that was revoked: the kiosk answers 410 and clears the TV, while
    a token that never existed stays a plain 404."""


def _may_manage(actor: Producer, team: Team) -> bool:
    # The meeting's own rule: whoever may run the team's meeting manages its TV links.
    return may_run_meeting(actor, agency_id=team.agency_id, team_id=team.pk)


@transaction.atomic
def kiosk_link_create(*, team: Team, actor: Producer, label: str = "",
                      show_prospect_names: bool = False) -> KioskLink:
    """A new link for the team's TV. Whoever holds it sees what a colleague sees: the stage a
    prospect reached but not the client's name, unless `show_prospect_names` is chosen."""
    if not _may_manage(actor, team):
        raise ValidationError({"team": "Choose a team you lead."})
    label = label.strip()
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": f"Keep the label under {LABEL_MAX} characters."})
    link = KioskLink.objects.create(
        agency_id=team.agency_id, team=team, token=secrets.token_urlsafe(TOKEN_BYTES),
        # A team name may use all of its 80 characters: the default label must still fit.
        label=label or Truncator(f"{team.name} TV").chars(LABEL_MAX), created_by=actor,
        show_prospect_names=bool(show_prospect_names))
    # Named by its label and id: the token is the credential and never enters the history.
    audit_record(agency=link.agency_id, actor=actor, kind=AuditEvent.Kind.TV_LINK_CREATED,
                 subject=link, label=link.label,
                 changes={"team": [None, team.name],
                          "show_prospect_names": [None, link.show_prospect_names]})
    return link


@transaction.atomic
def kiosk_link_revoke(*, link: KioskLink, actor: Producer) -> KioskLink:
    """Revoked links answer 410 from the next request on (the TV clears itself); revoking
    twice changes nothing."""
    if not _may_manage(actor, link.team):
        raise ValidationError("Only the team's leaders or an owner can revoke this link.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_record(agency=link.agency_id, actor=actor, kind=AuditEvent.Kind.TV_LINK_REVOKED,
                     subject=link, label=link.label)
    return link


# --- reads ----------------------------------------------------------------------------------

def kiosk_links_for(actor: Producer):
    """The links the actor manages (revoked ones included, so revoking twice is no 404)."""
    return (KioskLink.objects.filter(agency=actor.agency, team__in=meeting_teams_for(actor))
            .select_related("team"))


def kiosk_link_get(*, actor: Producer, link_id) -> KioskLink | None:
    """One of the links the actor manages, or None."""
    try:
        return kiosk_links_for(actor).get(pk=int(link_id))
    except (KioskLink.DoesNotExist, ValueError):
        return None


def kiosk_get(token: str) -> KioskLink:
    """The live link with that token; 404 when unknown or malformed, `KioskRevoked` when it
    was revoked."""
    # Tokens are `secrets.token_urlsafe` text: anything else (a NUL byte, which PostgreSQL
    # refuses with an error) is not looked up at all.
    if not token or len(token) > 64 or not TOKEN_CHARACTERS.fullmatch(token):
        raise Http404("No such screen.")
    link = KioskLink.objects.select_related("team", "agency").filter(token=token).first()
    if link is None or link.team.agency_id != link.agency_id:
        raise Http404("No such screen.")
    if link.revoked_at is not None:
        raise KioskRevoked()
    return link


def kiosk_key(link: KioskLink) -> tuple[str, Meeting | None]:
    """What the kiosk shows and a key that changes whenever that changes (one query)."""
    meeting = (Meeting.objects.filter(team_id=link.team_id, ended_at__isnull=True)
               .order_by("-started_at").first())
    if meeting is not None:
        meeting.team = link.team
        meeting.agency = link.agency
        return f"m{meeting.pk}.{meeting.version}", meeting
    return f"l{link.agency.live_version}", None


def kiosk_board(link: KioskLink, *, limit: int = 8) -> KioskBoard:
    """Between meetings: the team's live scorecard and wins, this week."""
    agency = link.agency
    week = Week.current(agency).start
    return KioskBoard(
        team=link.team, week=week,
        rows=team_rows(agency, week, team=link.team),
        celebrations=latest_wins(
            list(Celebration.objects.filter(agency=agency, producer__team=link.team)
                 # the stage reached, for a win told without the prospect's name (win_text)
                 .select_related("producer__user", "stage_advance__to_stage")
                 .order_by("-occurred_at", "-id")[:limit]),
            week),
    )
