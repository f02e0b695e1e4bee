"""The first run in the browser: name the agency, pick its time zone, become its owner."""

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from salesculture.forms import add_service_errors

from .forms import AgencySetupForm
from .setup import agency_setup, setup_agency_for_token, signup_open

# The session authenticates through Django's own backend (django-axes only judges logins).
BACKEND = "django.contrib.auth.backends.ModelBackend"


@require_http_methods(["GET", "POST"])
def first_run(request, token=None):
    """Open while sign-up is (no agency yet, by default), or through the one-time link of
    `manage.py agency_create`. Anyone else is told the page is closed (404 would hide why)."""
    agency = setup_agency_for_token(token) if token is not None else None
    if (token is not None and agency is None) or (token is None and not signup_open()):
        return render(request, "pipeline/first_run_closed.html", {"had_link": token is not None},
                      status=404)
    initial = {"name": agency.name, "time_zone": agency.time_zone} if agency else None
    form = AgencySetupForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            owner = agency_setup(name=data["name"], time_zone=data["time_zone"],
                                 owner_name=data["owner_name"], email=data["email"],
                                 password=data["password1"], agency=agency)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            login(request, owner.user, backend=BACKEND)
            messages.success(request, f"{owner.agency.name} is ready. Next: your why, then "
                                      "invite your team from Settings → People.")
            return redirect("home")
    return render(request, "pipeline/first_run.html", {"form": form, "agency": agency},
                  status=400 if request.method == "POST" else 200)
