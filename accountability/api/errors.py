"""What every API error answers: `{"detail": "...", "errors": {field: [messages]}}`, with the
forms' and services' own messages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from ninja import Schema

NON_FIELD = "__all__"


class Error(Schema):
    detail: str
    errors: dict[str, list[str]] = {}

    model_config = {"json_schema_extra": {"examples": [{
        "detail": "Some fields need attention.",
        "errors": {"quantity": ["Enter a quantity between 1 and 500."]}}]}}


# The error answers every operation may give, besides its own success.
ERRORS = {400: Error, 401: Error, 404: Error, 429: Error}


def field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {NON_FIELD: list(exc.messages)}


def form_errors(form) -> dict[str, list[str]]:
    return {field: list(messages) for field, messages in form.errors.items()}


class FormInvalid(Exception):
    """A form said no: answered 400 with its messages by field."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


def check(form):
    """The form's cleaned data, or FormInvalid with its messages."""
    if not form.is_valid():
        raise FormInvalid(form_errors(form))
    return form.cleaned_data
