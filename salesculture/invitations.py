"""Inviting people into an agency: an owner (or a leader, for producers of their own team)
invites by email; the invitee opens the one-time link, sets a password and becomes a Producer.

The link carries a random token; only its SHA-256 is stored (Invitation.token_hash). A link
opens its invitation while it is pending: not accepted, not revoked, not expired. Sending
again gives a new token, so the old link stops working.
"""

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from .audit import audit_record
from .models import AuditEvent, Invitation, Producer, Team
from .services import goal_clean, producer_create
from .throttle import rate_take

INVITATION_DAYS = 7
Kind = AuditEvent.Kind


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def invitation_state(invitation: Invitation, now: dt.datetime | None = None) -> str:
    """"accepted", "revoked", "expired" or "pending": what the link does now."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.is_expired(now or timezone.now()):
        return "expired"
    return "pending"


def email_normalize(value: str) -> str:
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter an email address like ana@example.com."}) from None
    if len(email) > 150:  # it becomes the username, which Django keeps to 150 characters
        raise ValidationError({"email": "That email address is too long to log in with; use "
                                        "one of at most 150 characters."})
    return email


def email_has_account(email: str) -> bool:
    """Accounts sign in by username, and an invitee's username is their email: either one
    taken means the address already belongs to someone."""
    return get_user_model().objects.filter(
        Q(email__iexact=email) | Q(username__iexact=email)).exists()


def _check_inviter(*, actor: Producer, role: str, team: Team | None) -> None:
    """Owners invite anyone into any team of their agency; leaders invite producers into
    their own team only."""
    if not actor.is_leader:
        raise ValidationError("Only owners and leaders invite people.")
    if role not in Producer.Role.values:
        raise ValidationError({"role": "Choose one of the listed roles."})
    if team is not None and team.agency_id != actor.agency_id:
        raise ValidationError({"team": "Choose one of your agency's teams."})
    if actor.is_owner:
        return
    if role != Producer.Role.PRODUCER:
        raise ValidationError({"role": "Leaders invite producers; ask an owner for other roles."})
    if team is None or team.pk != actor.team_id:
        raise ValidationError({"team": "Leaders invite people into their own team."})


def _throttle(actor: Producer) -> None:
    # The agency's creation time is in the key, as in the boards' cache keys: a key never
    # outlives its agency (a test database hands the next test's agency the same id).
    agency = actor.agency
    if not rate_take(scope="invitations", key=f"{agency.pk}:{agency.created_at.timestamp()}",
                     limit=settings.INVITATIONS_PER_HOUR, window=3600):
        raise ValidationError(
            f"Your agency has sent {settings.INVITATIONS_PER_HOUR} invitations in the last "
            "hour; please wait a while before sending more.")


def invitation_create(*, actor: Producer, email: str, name: str, role: str,
                      team: Team | None, annual_goal: Decimal | int = 0
                      ) -> tuple[Invitation, str]:
    """A pending invitation and its link's token (shown once, in the email; never stored)."""
    email = email_normalize(email)
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "Enter the person's name."})
    _check_inviter(actor=actor, role=role, team=team)
    goal = goal_clean(value=annual_goal, allow_zero=True)
    if email_has_account(email):
        raise ValidationError({"email": f"{email} already has an account. They can log in "
                                        "(or reset their password) with it."})
    if Invitation.objects.filter(agency_id=actor.agency_id, email=email,
                                 accepted_at__isnull=True, revoked_at__isnull=True).exists():
        raise ValidationError({"email": f"{email} is already invited: send the invitation "
                                        "again from the list of people."})
    _throttle(actor)
    token, hashed = _new_token()
    now = timezone.now()
    invitation = Invitation(agency_id=actor.agency_id, email=email, name=name, role=role,
                            team=team, annual_goal=goal, token_hash=hashed, invited_by=actor,
                            sent_at=now, expires_at=now + dt.timedelta(days=INVITATION_DAYS))
    try:
        with transaction.atomic():
            invitation.save()
            audit_record(agency=actor.agency_id, actor=actor, kind=Kind.INVITATION_SENT,
                         subject=invitation, label=f"{name} ({email})",
                         changes={"role": [None, role], "team": [None, team]})
    except IntegrityError:  # the same address invited at the same moment by someone else
        raise ValidationError({"email": f"{email} is already invited."}) from None
    return invitation, token


@transaction.atomic
def invitation_resend(*, actor: Producer, invitation: Invitation) -> tuple[Invitation, str]:
    """A new link for a pending (or expired) invitation, valid another seven days; the old link
    stops working."""
    if not invitation.is_open:
        raise ValidationError("This invitation was already accepted or revoked.")
    _throttle(actor)
    token, invitation.token_hash = _new_token()
    invitation.sent_at = timezone.now()
    invitation.expires_at = invitation.sent_at + dt.timedelta(days=INVITATION_DAYS)
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at"])
    audit_record(agency=invitation.agency_id, actor=actor, kind=Kind.INVITATION_RESENT,
                 subject=invitation, label=f"{invitation.name} ({invitation.email})")
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: Producer, invitation: Invitation) -> Invitation:
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation was already accepted; deactivate the person "
                              "instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(agency=invitation.agency_id, actor=actor, kind=Kind.INVITATION_REVOKED,
                     subject=invitation, label=f"{invitation.name} ({invitation.email})")
    return invitation


def invitation_email_send(*, invitation: Invitation, link: str, agency_name: str) -> None:
    """Through the configured email backend (the console in the demo)."""
    context = {"invitation": invitation, "link": link, "agency_name": agency_name,
               "days": INVITATION_DAYS,
               "inviter": invitation.invited_by.name if invitation.invited_by else agency_name}
    EmailMessage(subject=f"You are invited to {agency_name} on Sales Culture",
                 body=render_to_string("salesculture/email/invitation.txt", context),
                 from_email=settings.DEFAULT_FROM_EMAIL, to=[invitation.email]).send()


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation this link names, in whatever state, or None for a link that never was."""
    if not token or len(token) > 100:
        return None
    return (Invitation.objects.select_related("agency", "team")
            .filter(token_hash=token_hash(token)).first())


REFUSALS = {
    "accepted": "This invitation link was already used. Log in with your email and password.",
    "revoked": "This invitation was withdrawn. Ask your agency for a new one.",
    "expired": "This invitation link has expired. Ask your agency to send it again.",
}


def _split_name(name: str) -> tuple[str, str]:
    first, _, last = name.partition(" ")
    return first[:150], last[:150]


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> Producer:
    """The account and its Producer, created together from a pending invitation; the link is
    spent in the same transaction. `password` was judged by Django's validators already."""
    hashed = token_hash(token)
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("agency", "team")
                  .filter(token_hash=hashed).first())
    if invitation is None:
        raise ValidationError("This invitation link is not valid.")
    state = invitation_state(invitation)
    if state != "pending":
        raise ValidationError(REFUSALS[state])
    if email_has_account(invitation.email):
        raise ValidationError(f"{invitation.email} already has an account. Log in with it, or "
                              "reset its password from the login page.")
    team = invitation.team if invitation.team and invitation.team.agency_id == \
        invitation.agency_id else None
    first_name, last_name = _split_name(invitation.name)
    producer = producer_create(
        agency=invitation.agency, username=invitation.email, password=password,
        first_name=first_name, last_name=last_name, email=invitation.email, team=team,
        role=invitation.role, annual_goal=invitation.annual_goal)
    invitation.accepted_at = timezone.now()
    invitation.producer = producer
    invitation.save(update_fields=["accepted_at", "producer"])
    audit_record(agency=invitation.agency_id, actor=producer, kind=Kind.INVITATION_ACCEPTED,
                 subject=invitation, label=producer.name)
    return producer
