from functools import cache

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from .access import owner_required, producer_required
from .audit_selectors import audit_trail
from .forms import ProfileForm, add_service_errors
from .models import Agency
from .services import producer_update_profile
from .sessions import producer_end_all_sessions


def home(request):
    """A new install (no agency yet) starts on the first-run page; producers start on their
    own week; leaders and owners on the team scorecard."""
    if (not request.user.is_authenticated and settings.SIGNUP_ENABLED is not False
            and not Agency.objects.exists()):
        return redirect("first_run")
    return _home(request)


@cache
def _favicon_bytes() -> bytes:
    with open(finders.find("img/favicon.ico"), "rb") as icon:
        return icon.read()


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request):
    """Browsers, bookmarks and link previews ask for /favicon.ico whatever the page's
    <link rel=icon> says: answer it rather than log a 404 on every first visit."""
    return HttpResponse(_favicon_bytes(), content_type="image/x-icon")


@producer_required
def _home(request):
    if request.producer.is_leader:
        return redirect("accountability:team")
    return redirect("accountability:my_week")


@producer_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """One's why, annual goal, the weekly digest, the password, and "log out everywhere"."""
    producer = request.producer
    action = request.POST.get("action") if request.method == "POST" else None
    profile_form = ProfileForm.for_producer(producer, request.POST if action == "profile"
                                            else None)
    password_form = PasswordChangeForm(request.user, request.POST if action == "password"
                                       else None)
    for field in password_form.fields.values():
        field.help_text = ""
        # No autofocus: on a phone it would open the keyboard and scroll past the why.
        field.widget.attrs.pop("autofocus", None)
    if action == "profile" and profile_form.is_valid():
        data = profile_form.cleaned_data
        try:
            producer_update_profile(producer=producer, why=data["why"],
                                    annual_goal=data["annual_goal"],
                                    digest_enabled=data["digest_enabled"])
        except ValidationError as exc:
            producer.refresh_from_db()
            add_service_errors(profile_form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("profile")
    if action == "logout_everywhere":
        producer_end_all_sessions(producer=producer)
        logout(request)
        messages.success(request, "Logged out on every device.")
        return redirect("login")
    if action == "password" and password_form.is_valid():
        user = password_form.save()
        update_session_auth_hash(request, user)
        messages.success(request, "Password changed.")
        return redirect("profile")
    # A refused form answers 400, as every form of the app does.
    return render(request, "salesculture/profile.html", {
        "producer": producer, "profile_form": profile_form, "password_form": password_form},
        status=400 if action in ("profile", "password") else 200)


@owner_required
def audit(request):
    """The agency's history of changes, newest first, by person and kind (owners only)."""
    trail = audit_trail(agency=request.producer.agency, person=request.GET.get("person", ""),
                        kind=request.GET.get("kind", ""), page=request.GET.get("page"))
    return render(request, "salesculture/audit.html", {"trail": trail})
