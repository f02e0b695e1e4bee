"""Forms of the owners' settings of the sales process. They parse and give the message next
to the field; the services (settings_services.py) re-check and write."""

from django import forms

from .forms import max_length
from .models import ActivityType, LostReason, Stage

STALE_MESSAGE = "Enter a number of days between 1 and 365."


class StageForm(forms.Form):
    name = forms.CharField(max_length=max_length(Stage, "name"),
                           error_messages={"required": "Give the stage a name."})
    kind = forms.ChoiceField(
        choices=Stage.Kind.choices, initial=Stage.Kind.OPEN,
        help_text="Open: a step of the pipeline. Won: the sale is bound. Lost: it is not.",
        error_messages={"invalid_choice": "Choose open, won or lost."})
    definition_of_done = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Definition of done",
        help_text="What must be true for a prospect to reach this stage.",
        error_messages={"required": "Say what must be true for a prospect to reach this stage."})
    stale_after_days = forms.IntegerField(
        label="Stale after (days)", min_value=1, max_value=365, initial=14,
        help_text="A prospect in this stage longer than this is flagged on the board.",
        error_messages={"min_value": STALE_MESSAGE, "max_value": STALE_MESSAGE,
                        "invalid": STALE_MESSAGE, "required": STALE_MESSAGE})

    @classmethod
    def for_stage(cls, stage: Stage, data=None) -> "StageForm":
        return cls(data, initial={"name": stage.name, "kind": stage.kind,
                                  "definition_of_done": stage.definition_of_done,
                                  "stale_after_days": stage.stale_after_days})


class ActivityTypeForm(forms.Form):
    name = forms.CharField(max_length=max_length(ActivityType, "name"),
                           error_messages={"required": "Give the activity type a name."})
    icon = forms.CharField(max_length=max_length(ActivityType, "icon"), required=False,
                           help_text="One emoji for the quick-log button, e.g. 📞.",
                           error_messages={"max_length": "Keep the icon to one emoji."})


class LostReasonForm(forms.Form):
    name = forms.CharField(max_length=max_length(LostReason, "name"), label="Reason",
                           error_messages={"required": "Give the reason a name."})
