import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .models import Producer
from .selectors import person_name
from .services import goal_clean


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: next to its field when the form has that
    field, otherwise at the top of the form. Every view that calls a service uses this, so a
    refused write always reads the same way."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            form.add_error(field if field in form.fields else None, problems)
    else:
        form.add_error(None, error)


def client_token_field() -> forms.CharField:
    """A hidden token minted for each rendered create form: submitted twice (a double tap, a
    retry after a dropped connection), it reaches the service twice and creates one row."""
    return forms.CharField(widget=forms.HiddenInput, required=False, max_length=64,
                           initial=lambda: uuid.uuid4().hex)


class ProfileForm(forms.Form):
    why = forms.CharField(
        label="My why", required=False, max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Your personal reason. It sits at the top of your week and on your turn in "
                  "the meeting. It is never the money.")
    annual_goal = forms.DecimalField(
        label="Annual new-revenue goal ($)", min_value=0, max_digits=12, decimal_places=2,
        error_messages={"min_value": "The goal cannot be negative.",
                        "max_digits": "That goal is too large; enter at most 10 digits."})
    digest_enabled = forms.BooleanField(label="Send me the weekly email digest",
                                        required=False)

    @classmethod
    def for_producer(cls, producer: Producer, data=None) -> "ProfileForm":
        goal = producer.annual_goal
        return cls(data, initial={"why": producer.why,
                                  "annual_goal": int(goal) if goal == int(goal) else goal,
                                  "digest_enabled": producer.digest_enabled})

    def clean_annual_goal(self):
        """The service's range ($0 for no goal, else $1,000 up to the field), said here so it
        sits next to the field."""
        try:
            return goal_clean(value=self.cleaned_data["annual_goal"], allow_zero=True)
        except ValidationError as error:
            raise ValidationError(error.message_dict["annual_goal"]) from None


class InviteForm(forms.Form):
    """An invitation by email. A leader's form offers only the producer role and their own
    team; the service checks the same again."""

    name = forms.CharField(label="Name", max_length=150)
    email = forms.EmailField(label="Email", max_length=254)
    role = forms.ChoiceField(label="Role", choices=Producer.Role.choices,
                             initial=Producer.Role.PRODUCER)
    team = forms.TypedChoiceField(label="Team", coerce=int, required=False, empty_value=None)
    annual_goal = forms.DecimalField(
        label="Annual new-revenue goal ($)", min_value=0, max_digits=12, decimal_places=2,
        initial=0, help_text="0 for no goal yet; they can set it themselves.",
        error_messages={"min_value": "The goal cannot be negative.",
                        "max_digits": "That goal is too large; enter at most 10 digits."})

    def __init__(self, *args, actor: Producer, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {team.pk: team for team in teams}
        if actor.is_owner:
            self.fields["team"].choices = [("", "No team")] + [
                (pk, team.name) for pk, team in self.teams.items()]
        else:
            self.fields["role"].choices = [(Producer.Role.PRODUCER, "Producer")]
            self.fields["team"].choices = [(pk, team.name) for pk, team in self.teams.items()
                                           if pk == actor.team_id]
            self.fields["team"].required = True
            self.fields["team"].initial = actor.team_id

    def clean_annual_goal(self):
        try:
            return goal_clean(value=self.cleaned_data["annual_goal"], allow_zero=True)
        except ValidationError as error:
            raise ValidationError(error.message_dict["annual_goal"]) from None

    def clean_team(self):
        pk = self.cleaned_data.get("team")
        return self.teams.get(pk) if pk is not None else None


class PersonRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Producer.Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name", max_length=80,
        help_text="Where it is used, e.g. “Dialer” or “Zapier”, so you know which to revoke.",
        error_messages={"required": "Name the token after where it is used, e.g. “Dialer”.",
                        "max_length": "Keep the name to 80 characters."})


class WebhookForm(forms.Form):
    url = forms.URLField(label="URL", max_length=500, assume_scheme="https",
                         help_text="Where the events are POSTed, e.g. a Slack or Teams "
                                   "incoming-webhook address.",
                         error_messages={"invalid": "Enter a full http:// or https:// address."})
    events = forms.MultipleChoiceField(label="Events", widget=forms.CheckboxSelectMultiple,
                                       error_messages={"required": "Choose at least one of the "
                                                                   "listed events."})
    body_format = forms.ChoiceField(label="Format", initial="json")

    def __init__(self, *args, events: dict, formats, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["events"].choices = list(events.items())
        self.fields["body_format"].choices = formats


def options_html(choices, chosen: set[str]):
    """A select's options as Django's select writes them, in one pass: its own builds a dict
    and renders a template for each option."""
    return format_html_join("", '<option value="{}"{}>{}</option>', (
        ("" if option is None else str(option),
         mark_safe(" selected") if str(option) in chosen else "", label)
        for option, label in choices))


def people_field(field: forms.ModelChoiceField, people) -> None:
    """Offer `people` (a queryset of producers) in a ModelChoiceField: the options are read as
    bare (id, name) rows, not 500 producers built with their users to be named; the choice
    is still checked against the queryset."""
    field.queryset = people
    field.widget.choices = [("", field.empty_label), *(
        (pk, person_name(first, last, username)) for pk, first, last, username
        in people.values_list("pk", "user__first_name", "user__last_name", "user__username"))]


class LongSelect(forms.Select):
    """A select of many options (an owner picks one of 500 people) written in one pass
    (`options_html`). The same markup."""

    def render(self, name, value, attrs=None, renderer=None):
        return format_html('<select name="{}"{}>{}</select>', name,
                           flatatt(self.build_attrs(self.attrs, attrs)),
                           options_html(self.choices, set(self.format_value(value))))
