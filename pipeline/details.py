"""What an insurance producer knows about a prospect beyond its stage: who to talk to and how,
the current carrier and premium, the premium being quoted, the X-date, household or business.
Pure: the one list of those fields and the rules their values follow, read by the forms, the
services, the import and the API alike."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

DETAIL_FIELDS = ("client_type", "contact_name", "phone", "email", "current_carrier",
                 "current_premium", "premium", "x_date")
TEXT_FIELDS = ("contact_name", "phone", "email", "current_carrier")

PHONE_MESSAGE = "Enter a phone number like 555-201-4477 or +1 555 201 4477."
EMAIL_MESSAGE = "Enter an email address like pat@example.com."
PREMIUM_MESSAGE = "A premium cannot be negative."
# Digits with the usual separators, an optional leading + and an optional extension.
PHONE = re.compile(r"^\+?[\d\s().\-/]+(\s*(x|ext\.?)\s*\d{1,6})?$", re.IGNORECASE)


def phone_problem(phone: str) -> str | None:
    """Why a phone number cannot be dialled (None: it can). 7 to 15 digits before any
    extension, as numbers are written in North America and abroad."""
    if not phone:
        return None
    main = re.split(r"(?i)x|ext", phone)[0]
    digits = re.sub(r"\D", "", main)
    if not PHONE.match(phone.strip()) or not 7 <= len(digits) <= 15:
        return PHONE_MESSAGE
    return None


def tel_href(phone: str) -> str:
    """A `tel:` link a phone can dial: the digits (and a leading +), extension as ",ext"."""
    parts = re.split(r"(?i)\s*(?:x|ext\.?)\s*", phone.strip(), maxsplit=1)
    main = parts[0]
    extension = re.sub(r"\D", "", parts[1]) if len(parts) > 1 else ""
    number = ("+" if main.strip().startswith("+") else "") + re.sub(r"\D", "", main)
    return f"tel:{number}" + (f",{extension}" if extension else "")


def details_problems(details: dict) -> dict[str, str]:
    """{field: message} for each value a prospect cannot keep; {} when all are fine."""
    problems = {}
    if problem := phone_problem(details.get("phone") or ""):
        problems["phone"] = problem
    if details.get("email"):
        try:
            validate_email(details["email"])
        except ValidationError:
            problems["email"] = EMAIL_MESSAGE
    for name in ("current_premium", "premium"):
        value = details.get(name)
        if value is not None and Decimal(value) < 0:
            problems[name] = PREMIUM_MESSAGE
    return problems


def details_apply(prospect, details: dict | None) -> None:
    """Set the given details on the prospect (absent keys stay as they are), trimmed; raises
    ValidationError with a message per field before anything is set."""
    if not details:
        return
    unknown = set(details) - set(DETAIL_FIELDS)
    if unknown:
        raise ValueError(f"Not a prospect detail: {', '.join(sorted(unknown))}")
    clean = {k: (v.strip() if k in TEXT_FIELDS and isinstance(v, str) else v)
             for k, v in details.items()}
    if problems := details_problems(clean):
        raise ValidationError(problems)
    for name, value in clean.items():
        setattr(prospect, name, value)
