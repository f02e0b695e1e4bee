"""Forms of the producer's pipeline pages. They parse and give messages next to the field;
the services re-check everything and do the writes."""

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.utils import timezone

from salesculture.forms import client_token_field
from salesculture.models import Producer
from salesculture.zones import time_zone_names

from .details import DETAIL_FIELDS, EMAIL_MESSAGE, PREMIUM_MESSAGE, phone_problem
from .models import Activity, Prospect, Stage, StageAdvance
from .selectors import activity_types_of, lost_reasons_offered, prospects_owned_by, stages_offered
from .services import OUT_OF_DATE, moved_meanwhile

QUANTITY_MESSAGE = f"Enter a quantity between 1 and {Activity.MAX_QUANTITY}."
PAST_DUE_MESSAGE = "The next step cannot be due in the past."
STAGE_MESSAGE = "Choose a stage of your agency's pipeline."
LOST_OTHER = "__other__"
LOST_MESSAGE = "Say why the prospect was lost; a reason is required."


def max_length(model, field: str) -> int:
    """A text limit as the model defines it, so a form never drifts from its column."""
    return model._meta.get_field(field).max_length


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _premium_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, help_text=help_text, required=False, min_value=0,
                              max_digits=12, decimal_places=2,
                              error_messages={"min_value": PREMIUM_MESSAGE})


class ProspectForm(forms.Form):
    field_order = ["name", "client_type", "contact_name", "phone", "email", "line_of_business",
                   "stage", "current_carrier", "current_premium", "x_date", "premium",
                   "estimated_revenue", "next_step", "next_step_due", "source"]
    name = forms.CharField(max_length=max_length(Prospect, "name"))
    line_of_business = forms.ChoiceField(choices=Prospect.LineOfBusiness.choices)
    estimated_revenue = forms.DecimalField(
        label="Estimated annual revenue ($)", min_value=0, max_digits=12, decimal_places=2,
        initial=0, error_messages={"min_value": "Revenue cannot be negative."})
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), empty_label=None,
                                   error_messages={"invalid_choice": STAGE_MESSAGE})
    next_step = forms.CharField(max_length=max_length(Prospect, "next_step"), required=False,
                                help_text="What happens next, e.g. “Call to set the appointment”.")
    next_step_due = forms.DateField(required=False, widget=DateInput(), label="Next step due")
    source = forms.CharField(max_length=max_length(Prospect, "source"), required=False,
                             help_text="Where the prospect came from (referral, event, …).")
    # What an insurance producer knows (pipeline/details.py holds the rules the service checks).
    client_type = forms.ChoiceField(choices=Prospect.ClientType.choices,
                                    label="Household or business", required=False,
                                    initial=Prospect.ClientType.HOUSEHOLD)
    contact_name = forms.CharField(max_length=max_length(Prospect, "contact_name"), required=False,
                                   label="Contact name")
    phone = forms.CharField(max_length=max_length(Prospect, "phone"), required=False,
                            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    email = forms.EmailField(max_length=max_length(Prospect, "email"), required=False,
                             error_messages={"invalid": EMAIL_MESSAGE})
    current_carrier = forms.CharField(max_length=max_length(Prospect, "current_carrier"),
                                      required=False, label="Current carrier")
    current_premium = _premium_field("Current premium ($)",
                                     "What they pay their current carrier a year.")
    premium = _premium_field("Premium quoted ($)", "Annual premium of the policy you quote.")
    x_date = forms.DateField(required=False, widget=DateInput(), label="X-date",
                             help_text="When the current policy renews: quote 60 to 30 days "
                                       "before.")
    client_token = client_token_field()

    def __init__(self, *args, agency, today: dt.date, editing: Prospect | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.editing = editing
        # A phone's date picker greys out past days; the server still says so if one is sent.
        if editing is None or editing.next_step_due is None or editing.next_step_due >= today:
            self.fields["next_step_due"].widget.attrs["min"] = today.isoformat()
        if editing is not None:
            # The stage changes only through an advance, which writes the ledger.
            del self.fields["stage"]
        else:
            self.fields["stage"].queryset = stages_offered(agency).filter(kind=Stage.Kind.OPEN)

    def clean_next_step_due(self):
        due = self.cleaned_data.get("next_step_due")
        unchanged = self.editing is not None and due == self.editing.next_step_due
        if due is not None and due < self.today and not unchanged:
            raise ValidationError(PAST_DUE_MESSAGE)
        return due

    def clean_client_type(self):
        # Left out (an older form, the API): a household, the model's default.
        return self.cleaned_data.get("client_type") or Prospect.ClientType.HOUSEHOLD

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        if problem := phone_problem(phone):
            raise ValidationError(problem)
        return phone

    def clean(self):
        data = super().clean()
        if data.get("next_step_due") and not data.get("next_step"):
            self.add_error("next_step", "Say what the next step is.")
        return data

    def details(self) -> dict:
        """The insurance details as the services take them (pipeline/details.py)."""
        return {name: self.cleaned_data[name] for name in DETAIL_FIELDS}


class NextStepDoneForm(forms.Form):
    """"Done" on a next step: what it was (logged as an activity) and the new next step."""

    activity_type = forms.ModelChoiceField(
        queryset=None, label="Logged as", empty_label=None,
        error_messages={"invalid_choice": "Choose one of your agency's activity types."})
    outcome = forms.ChoiceField(choices=Activity.Outcome.choices, required=False)
    next_step = forms.CharField(max_length=max_length(Prospect, "next_step"), label="New next step",
                                error_messages={"required": "Say what the next step is."})
    next_step_due = forms.DateField(widget=DateInput(), label="Due",
                                    error_messages={"required": "Give the next step a date."})
    client_token = client_token_field()

    def __init__(self, *args, prospect: Prospect, types: list, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        field = self.fields["activity_type"]
        field.queryset = activity_types_of(prospect.agency).filter(is_active=True)
        field.choices = [(t.pk, f"{t.icon} {t.name}".strip()) for t in types]
        self.fields["next_step_due"].widget.attrs["min"] = today.isoformat()

    def clean_next_step_due(self):
        due = self.cleaned_data.get("next_step_due")
        if due is not None and due < self.today:
            raise ValidationError(PAST_DUE_MESSAGE)
        return due


class AdvanceForm(forms.Form):
    to_stage = forms.ModelChoiceField(queryset=Stage.objects.none(), label="Move to",
                                      error_messages={"invalid_choice": STAGE_MESSAGE,
                                                      "required": "Choose the stage."})
    # The stage the page showed: the move applies only from there (a double submit, or a
    # colleague's move meanwhile, is refused instead of moving the prospect again).
    expected_stage = forms.IntegerField(widget=forms.HiddenInput, required=False)
    definition_confirmed = forms.BooleanField(
        required=False, label="The definition of done is met")
    next_step = forms.CharField(max_length=max_length(StageAdvance, "next_step"), required=False,
                                help_text="Every advance leaves a scheduled next step.")
    next_step_due = forms.DateField(required=False, widget=DateInput(), label="Next step due")
    # The agency's pick list, or "Other" and the text below; what is stored is the text, so a
    # report groups losses by it and a renamed reason never rewrites a past loss.
    lost_choice = forms.ChoiceField(required=False, label="Why was it lost?")
    lost_reason = forms.CharField(max_length=max_length(StageAdvance, "lost_reason"),
                                  required=False, label="Other reason")
    note = forms.CharField(required=False, max_length=StageAdvance.NOTE_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, prospect: Prospect, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.prospect = prospect
        self.today = today
        self.fields["next_step_due"].widget.attrs["min"] = today.isoformat()
        self.fields["to_stage"].queryset = (stages_offered(prospect.agency)
                                            .exclude(pk=prospect.stage_id))
        self.lost_reasons = lost_reasons_offered(prospect.agency)
        self.fields["lost_choice"].choices = [
            ("", "Choose a reason…"), *((name, name) for name in self.lost_reasons),
            (LOST_OTHER, "Other…")]

    def clean(self):
        data = super().clean()
        # Said at the top of the form (the field is hidden), before any complaint about the
        # destination: a second submit of a move that already happened reads as what it is.
        if data.get("expected_stage") is None:
            raise ValidationError(OUT_OF_DATE)
        if data["expected_stage"] != self.prospect.stage_id:
            raise ValidationError(moved_meanwhile(self.prospect))
        to_stage: Stage | None = data.get("to_stage")
        if to_stage is None:
            return data
        due = data.get("next_step_due")
        if to_stage.kind == Stage.Kind.OPEN:
            if not data.get("next_step", "").strip():
                self.add_error("next_step", "Say what the next step is.")
            if due is None and "next_step_due" not in self.errors:
                self.add_error("next_step_due", "Give the next step a date.")
        if due is not None and due < self.today:
            self.add_error("next_step_due", PAST_DUE_MESSAGE)
        if to_stage.is_lost:
            choice = data.get("lost_choice") or LOST_OTHER
            if choice != LOST_OTHER:
                data["lost_reason"] = choice
            elif not data.get("lost_reason", "").strip():
                self.add_error("lost_reason", LOST_MESSAGE)
        return data


RECENTLY_CLOSED_DAYS = 14


class ActivityForm(forms.Form):
    """Log one activity with its details; also the body of a one-tap quick log."""

    activity_type = forms.ModelChoiceField(
        queryset=None, label="Activity", empty_label=None,
        error_messages={"invalid_choice": "Choose one of your agency's activity types."})
    quantity = forms.IntegerField(
        required=False, min_value=1, max_value=Activity.MAX_QUANTITY, initial=1,
        error_messages={"min_value": QUANTITY_MESSAGE, "max_value": QUANTITY_MESSAGE,
                        "invalid": QUANTITY_MESSAGE})
    prospect = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="— no prospect —",
        error_messages={"invalid_choice": "Choose one of your own prospects."})
    outcome = forms.ChoiceField(choices=Activity.Outcome.choices, required=False)
    note = forms.CharField(max_length=max_length(Activity, "note"), required=False)
    client_token = forms.CharField(max_length=max_length(Activity, "client_token"), required=False,
                                   widget=forms.HiddenInput)

    def __init__(self, *args, producer: Producer, prospect: Prospect | None = None,
                 active_types: list | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["activity_type"]
        # Validated against every type of the agency (so a retired one gets its own message),
        # offered from the active ones only.
        field.queryset = activity_types_of(producer.agency)
        if active_types is not None:
            field.choices = [(t.pk, f"{t.icon} {t.name}".strip()) for t in active_types]
        if prospect is not None:
            # Logged from the prospect's own page: the prospect is fixed by the URL.
            del self.fields["prospect"]
        else:
            self._prospect_choices(producer)

    def _prospect_choices(self, producer: Producer) -> None:
        """Any of the producer's own prospects is accepted; the list offers the open ones
        (the ones being worked) and those closed in the last RECENTLY_CLOSED_DAYS, saying where
        they ended: years of closed prospects would make the list, and My week, ever longer."""
        field = self.fields["prospect"]
        field.queryset = prospects_owned_by(producer, open_only=False)
        recently = timezone.now() - dt.timedelta(days=RECENTLY_CLOSED_DAYS)
        offered = (field.queryset.filter(Q(stage__kind=Stage.Kind.OPEN)
                                         | Q(stage_entered_at__gte=recently))
                   .order_by(Case(When(stage__kind=Stage.Kind.OPEN, then=0), default=1),
                             "name", "pk")
                   .values_list("pk", "name", "stage__kind", "stage__name"))
        field.choices = [("", field.empty_label), *(
            (pk, name if kind == Stage.Kind.OPEN else f"{name} ({stage})")
            for pk, name, kind, stage in offered)]

    def clean_activity_type(self):
        kind = self.cleaned_data["activity_type"]
        if not kind.is_active:
            raise ValidationError(f"{kind.name} is no longer in use; choose another.")
        return kind

    def clean_quantity(self):
        return self.cleaned_data.get("quantity") or 1


# Offered first on the setup page; every other zone follows, by name.
COMMON_TIME_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
                     "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu"]


def time_zone_choices() -> list[tuple[str, str]]:
    others = sorted(time_zone_names() - set(COMMON_TIME_ZONES))
    return [(z, z.replace("_", " ")) for z in COMMON_TIME_ZONES + others
            if not z.startswith(("Etc/", "SystemV/")) and "/" in z]


class AgencySetupForm(forms.Form):
    """The first run: the agency and its owner. The password is judged by Django's
    validators, with the owner's name and email as the account they will belong to."""

    name = forms.CharField(label="Agency name", max_length=120)
    time_zone = forms.ChoiceField(label="Time zone", initial="America/Chicago",
                                  help_text="Weeks start on Monday in this time zone.")
    owner_name = forms.CharField(label="Your name", max_length=150)
    email = forms.EmailField(label="Your email", max_length=150,
                             help_text="You log in with it.")
    password1 = forms.CharField(label="Password", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Password again", strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()

    def clean(self):
        data = super().clean()
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            user = get_user_model()(username=data.get("email", ""), email=data.get("email", ""),
                                    first_name=data.get("owner_name", ""))
            try:
                password_validation.validate_password(first, user)
            except ValidationError as error:
                self.add_error("password1", error)


class ExportPeriodForm(forms.Form):
    """The period of an export, in the agency's days. Read from the query string (a download
    is a GET), so it is bound even when empty: then it asks for the dates."""

    MAX_DAYS = 366 * 5

    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"required": "Choose the first day.",
                                            "invalid": "Enter a date like 2025-01-31."})
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": "Choose the last day.",
                                          "invalid": "Enter a date like 2025-12-31."})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The last day cannot be before the first.")
        elif start and end and (end - start).days > self.MAX_DAYS:
            self.add_error("end", "Choose a period of at most five years.")
        return data
