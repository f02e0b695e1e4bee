"""Kiosk links: a read-only, unguessable, revocable address for one team's meeting screen."""

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import Truncator

from salesculture.models import Producer, Team

from ..models import KioskLink

# 32 random bytes from the operating system's CSPRNG: 43 URL-safe characters, 256 bits.
TOKEN_BYTES = 32
LABEL_MAX = 80


def _may_manage(actor: Producer, team: Team) -> bool:
    if not actor.is_leader or actor.agency_id != team.agency_id:
        return False
    return actor.is_owner or actor.team_id == team.pk


@transaction.atomic
def kiosk_link_create(*, team: Team, actor: Producer, label: str = "") -> KioskLink:
    if not _may_manage(actor, team):
        raise ValidationError({"team": "Choose a team you lead."})
    label = label.strip()
    if len(label) > LABEL_MAX:
        raise ValidationError({"label": f"Keep the label under {LABEL_MAX} characters."})
    return KioskLink.objects.create(
        agency_id=team.agency_id, team=team, token=secrets.token_urlsafe(TOKEN_BYTES),
        # A team name may use all of its 80 characters: the default label must still fit.
        label=label or Truncator(f"{team.name} TV").chars(LABEL_MAX), created_by=actor)


@transaction.atomic
def kiosk_link_revoke(*, link: KioskLink, actor: Producer) -> KioskLink:
    """Revoked links answer 404 from the next request on; revoking twice changes nothing."""
    if not _may_manage(actor, link.team):
        raise ValidationError("Only the team's leaders or an owner can revoke this link.")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
    return link
