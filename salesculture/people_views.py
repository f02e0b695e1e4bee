"""Settings → People: the agency's people and open invitations (owners: everyone; leaders:
their team), inviting by email, and the invitee's page behind the emailed link."""

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from .access import leader_required, owner_required
from .back import back_within
from .forms import InviteForm, PersonRoleForm, add_service_errors
from .invitations import (
    REFUSALS,
    invitation_accept,
    invitation_create,
    invitation_email_send,
    invitation_for_token,
    invitation_resend,
    invitation_revoke,
    invitation_state,
)
from .models import Producer
from .selectors import (
    invitation_get_visible,
    invitations_visible_to,
    people_for,
    people_named,
    producer_get_visible,
    teams_for,
)
from .services import person_set_active, person_set_role

# The session authenticates through Django's own backend (django-axes only judges logins).
BACKEND = "django.contrib.auth.backends.ModelBackend"
# An agency of 500: a page of 40 at a time, and a box to find someone by name or email.
PEOPLE_PAGE_SIZE = 40
FIND_MAX_LENGTH = 100


def _people_page(request, *, invite_form=None, status=200):
    actor = request.producer
    now = timezone.now()
    invitations = [(invitation, invitation_state(invitation, now))
                   for invitation in invitations_visible_to(actor)]
    find = " ".join(request.GET.get("find", "").split())[:FIND_MAX_LENGTH]
    people = people_for(actor)
    if find:
        people = people_named(people, find)
    page = Paginator(people, PEOPLE_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "salesculture/people.html", {
        "page": page, "find": find, "invitations": invitations,
        "roles": Producer.Role.choices, "me": actor,
        "invite_form": invite_form or _invite_form(actor),
    }, status=status)


def _back_to_people(request, person: Producer):
    """Back to the page of the list the change was made from, at the person's row."""
    back = back_within(request, reverse("people")) or reverse("people")
    return redirect(f"{back}#person-{person.pk}")


def _invite_form(actor, data=None) -> InviteForm:
    return InviteForm(data, actor=actor, teams=teams_for(actor.agency))


@leader_required
def people(request):
    return _people_page(request)


def _send(request, invitation, token) -> bool:
    """Email the link; a backend that fails leaves the invitation to be sent again."""
    link = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
    try:
        invitation_email_send(invitation=invitation, link=link,
                              agency_name=request.producer.agency.name)
    except OSError:
        messages.error(request, f"The invitation to {invitation.email} is saved but the email "
                                "could not be sent. Try “Send again” in a moment.")
        return False
    return True


@leader_required
@require_http_methods(["GET", "POST"])
def invite(request):
    actor = request.producer
    form = _invite_form(actor, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation, token = invitation_create(
                actor=actor, email=data["email"], name=data["name"], role=data["role"],
                team=data["team"], annual_goal=data["annual_goal"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if _send(request, invitation, token):
                messages.success(request, f"Invitation sent to {invitation.email}. The link "
                                          "works once, for 7 days.")
            return redirect("people")
    if request.method == "POST":
        return _people_page(request, invite_form=form, status=400)
    return render(request, "salesculture/invite.html", {"invite_form": form})


@require_POST
@leader_required
def invitation_resend_view(request, invitation_id):
    invitation = invitation_get_visible(actor=request.producer, invitation_id=invitation_id)
    try:
        invitation, token = invitation_resend(actor=request.producer, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if _send(request, invitation, token):
            messages.success(request, f"Invitation sent again to {invitation.email}; the "
                                      "earlier link no longer works.")
    return redirect("people")


@require_POST
@leader_required
def invitation_revoke_view(request, invitation_id):
    invitation = invitation_get_visible(actor=request.producer, invitation_id=invitation_id)
    try:
        invitation_revoke(actor=request.producer, invitation=invitation)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Invitation of {invitation.email} revoked; its link no "
                                  "longer works.")
    return redirect("people")


@require_POST
@owner_required
def person_role(request, producer_id):
    person = producer_get_visible(actor=request.producer, producer_id=producer_id)
    form = PersonRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Choose one of the listed roles.")
        person_set_role(actor=request.producer, producer=person, role=form.cleaned_data["role"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person.name} is now {person.get_role_display().lower()}.")
    return _back_to_people(request, person)


@require_POST
@owner_required
def person_active(request, producer_id):
    person = producer_get_visible(actor=request.producer, producer_id=producer_id)
    active = request.POST.get("active") == "1"
    try:
        person_set_active(actor=request.producer, producer=person, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{person.name} is active again." if active else
                         f"{person.name} is deactivated: they cannot log in and are off the "
                         "boards and meetings; their history stays.")
    return _back_to_people(request, person)


@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token):
    """The emailed link: anyone holding it may set the password, once, within 7 days."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise Http404("No such invitation.")
    state = invitation_state(invitation)
    user = get_user_model()(username=invitation.email, email=invitation.email,
                            first_name=invitation.name)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    refusal = REFUSALS.get(state)
    if refusal is None and request.method == "POST" and form.is_valid():
        try:
            producer = invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            refusal = " ".join(error.messages)
        else:
            login(request, producer.user, backend=BACKEND)
            messages.success(request, f"Welcome to {invitation.agency.name}, {producer.name}.")
            return redirect("home")
    status = 200 if request.method == "GET" else 400
    if refusal and request.method == "GET":
        status = 410
    return render(request, "salesculture/invitation_accept.html", {
        "invitation": invitation, "form": form, "refusal": refusal}, status=status)
