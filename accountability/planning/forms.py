"""Forms of goal-to-plan, role fit and the why."""

from django import forms
from django.core.exceptions import ValidationError

from salesculture.models import Agency, Producer

from .services import clean_goal


class GoalForm(forms.Form):
    annual_goal = forms.CharField(
        label="Annual new-revenue goal ($)", max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": "Enter your annual new-revenue goal in dollars, like 150000.",
            "max_length": "That goal is too long to be a number of dollars.",
        })

    def __init__(self, *args, agency: Agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.agency = agency

    @classmethod
    def for_producer(cls, producer: Producer) -> "GoalForm":
        """Unbound, showing the current goal in whole dollars (empty while there is none)."""
        goal = producer.annual_goal
        return cls(agency=producer.agency,
                   initial={"annual_goal": f"{goal:.0f}" if goal > 0 else ""})

    def clean_annual_goal(self):
        try:
            return clean_goal(agency=self.agency, value=self.cleaned_data["annual_goal"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["annual_goal"]) from None


class WhyForm(forms.Form):
    why = forms.CharField(
        label="Why do you do this work?", min_length=10, max_length=600,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": "Write a sentence or two: your why is what the team sees first.",
            "min_length": "Say a little more — at least a full sentence (10 characters).",
        })

    def clean_why(self):
        return " ".join(self.cleaned_data["why"].split())


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=[], error_messages={
        "invalid_choice": "Choose one of the listed roles.",
        "required": "Choose a role."})

    def __init__(self, *args, actor: Producer, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [Producer.Role.PRODUCER, Producer.Role.NON_PRODUCER]
        if actor.is_owner:
            roles.insert(1, Producer.Role.LEADER)
        self.fields["role"].choices = [(r.value, r.label) for r in roles]
