from django import forms
from django.conf import settings

from ..models import ImportJob
from .columns import FIELDS
from .reading import file_size


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="The file holds", choices=ImportJob.Kind.choices,
                             initial=ImportJob.Kind.PROSPECTS)
    file = forms.FileField(label="CSV file", error_messages={
        "required": "Choose a CSV file to upload.",
        "empty": "This file is empty. Choose the CSV file with your rows.",
        "invalid": "That was not a file; choose a CSV file."})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                f"This file is {file_size(upload.size)}; files up to {file_size(limit)} can be "
                "imported. Split it into smaller files and import each.")
        return upload


class MappingForm(forms.Form):
    """One select per field of the import, listing the file's headers."""

    def __init__(self, *args, kind: str, headers: list[str], mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not imported —"), *((h, h) for h in headers if h)]
        for field in FIELDS[kind]:
            self.fields[field.key] = forms.ChoiceField(
                label=field.label + (" *" if field.required else ""), choices=choices,
                required=False, initial=mapping.get(field.key, ""))


class ConfirmForm(forms.Form):
    skip_bad_rows = forms.BooleanField(
        label="Skip bad rows", required=False,
        help_text="Import the good rows and list the others in an error report. Without it, "
                  "one bad row stops the whole import and nothing is written.")
