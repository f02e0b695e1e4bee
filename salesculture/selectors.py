from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404

from .models import Agency, Invitation, Producer, Team


def producer_for_user(user) -> Producer | None:
    if not user.is_authenticated:
        return None
    return (Producer.objects.select_related("agency", "team", "user")
            .filter(user=user, is_active=True).first())


def person_name(first: str, last: str, username: str) -> str:
    """A person's name as `Producer.name` says it, from a row read without the model (a
    values_list of the user's first name, last name and username)."""
    return f"{first} {last}".strip() or username


def leaders_first() -> Case:
    """Ordering key: owners, then leaders, then producers (principle 1)."""
    return Case(
        When(role=Producer.Role.OWNER, then=Value(0)),
        When(role=Producer.Role.LEADER, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def producers_visible_to(actor: Producer) -> QuerySet[Producer]:
    """Whose data the actor may see in detail: an owner everyone in the agency, a leader
    their team, a producer themself."""
    qs = Producer.objects.filter(agency=actor.agency).select_related("user", "team")
    if actor.is_owner:
        return qs
    if actor.role == Producer.Role.LEADER and actor.team_id:
        return qs.filter(team_id=actor.team_id)
    return qs.filter(pk=actor.pk)


def producer_get_visible(*, actor: Producer, producer_id) -> Producer:
    """The producer with that id, or 404 when it is not the actor's to see (or another agency's)."""
    try:
        return producers_visible_to(actor).get(pk=int(producer_id))
    except (Producer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such producer.") from None


def selling_producers(agency: Agency, *, team: Team | None = None) -> QuerySet[Producer]:
    """The production board: active people who sell, leaders first."""
    qs = (Producer.objects.filter(agency=agency, is_active=True)
          .exclude(role=Producer.Role.NON_PRODUCER)
          .select_related("user", "team"))
    if team is not None:
        qs = qs.filter(team=team)
    return qs.order_by(leaders_first(), "user__first_name", "user__last_name", "pk")


def teams_for(agency: Agency) -> QuerySet[Team]:
    return Team.objects.filter(agency=agency).order_by("name")


def team_get(*, agency: Agency, team_id) -> Team:
    try:
        return Team.objects.get(agency=agency, pk=int(team_id))
    except (Team.DoesNotExist, ValueError, TypeError):
        raise Http404("No such team.") from None


# What a row of the people page shows of a person's account.
PERSON_USER_FIELDS = ("first_name", "last_name", "username", "email")


def people_for(actor: Producer) -> QuerySet[Producer]:
    """The people page: everyone the actor may manage (an owner the agency, a leader their
    team), deactivated people included, leaders first. A row shows a name, role, state,
    email and team: not the 30 other columns of a person and their account (40 rows a
    page)."""
    return (producers_visible_to(actor)
            .only("role", "is_active", "agency_id", "team__name",
                  *(f"user__{f}" for f in PERSON_USER_FIELDS))
            .order_by("-is_active", leaders_first(), "user__first_name", "user__last_name",
                      "pk"))


def people_named(people: QuerySet[Producer], find: str) -> QuerySet[Producer]:
    """Those of `people` whose name, username or email holds every word of `find`."""
    for word in find.split():
        people = people.filter(Q(user__first_name__icontains=word)
                               | Q(user__last_name__icontains=word)
                               | Q(user__username__icontains=word)
                               | Q(user__email__icontains=word))
    return people


def invitations_visible_to(actor: Producer) -> QuerySet[Invitation]:
    """Open invitations (pending or expired) an owner sees for the agency, a leader for
    their team."""
    qs = (Invitation.objects.filter(agency=actor.agency, accepted_at__isnull=True,
                                    revoked_at__isnull=True)
          .select_related("team", "invited_by__user"))
    if not actor.is_owner:
        qs = qs.filter(team_id=actor.team_id) if actor.team_id else qs.none()
    return qs.order_by("-sent_at", "-pk")


def invitation_get_visible(*, actor: Producer, invitation_id) -> Invitation:
    try:
        qs = Invitation.objects.filter(agency=actor.agency).select_related("team", "agency")
        if not actor.is_owner:
            qs = qs.filter(team_id=actor.team_id) if actor.team_id else qs.none()
        return qs.get(pk=int(invitation_id))
    except (Invitation.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such invitation.") from None
