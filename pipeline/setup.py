"""The first run: a new agency, with the default stages and activity types, and its first
owner, made in the browser.

It lives in pipeline rather than salesculture because a new agency needs pipeline's defaults
(`agency_create`), and the layering lets pipeline look down at salesculture only. A signal
from salesculture would have hidden the same dependency; an explicit call keeps it visible.

Two ways in: the first-run page (`/setup/`), open while SIGNUP_ENABLED allows it, and the
one-time link `manage.py agency_create` prints, which opens the setup of the agency it made:
signed and expiring (SETUP_LINK_DAYS), and spent once the agency has its owner.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.text import slugify

from salesculture.audit import audit_record
from salesculture.invitations import email_has_account, email_normalize
from salesculture.models import Agency, AuditEvent, Producer
from salesculture.services import producer_create

from .services import agency_create

SETUP_LINK_DAYS = 7
_SALT = "pipeline.setup.agency"


def signup_open() -> bool:
    """Whether the first-run page may create a new agency now (settings.SIGNUP_ENABLED)."""
    if settings.SIGNUP_ENABLED is None:
        return not Agency.objects.exists()
    return bool(settings.SIGNUP_ENABLED)


def setup_token_make(agency: Agency) -> str:
    return signing.TimestampSigner(salt=_SALT).sign(str(agency.pk))


def setup_agency_for_token(token: str) -> Agency | None:
    """The agency a setup link names, while the link is valid: signed by this site, younger
    than SETUP_LINK_DAYS, and the agency still without any person (then the link is spent)."""
    try:
        agency_id = signing.TimestampSigner(salt=_SALT).unsign(
            token, max_age=SETUP_LINK_DAYS * 86400)
    except signing.BadSignature:  # SignatureExpired is one too
        return None
    return (Agency.objects.filter(pk=int(agency_id), producers__isnull=True).first()
            if agency_id.isdigit() else None)


def agency_slug_for(name: str) -> str:
    base = slugify(name)[:50] or "agency"
    slug, n = base, 1
    while Agency.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _serialise_setups() -> None:
    """Two first runs at once must not both find "no agency yet" (SQLite serialises writing
    transactions already; PostgreSQL needs the table lock, held for the setup's milliseconds)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE salesculture_agency IN SHARE ROW EXCLUSIVE MODE")


@transaction.atomic
def agency_setup(*, name: str, time_zone: str, owner_name: str, email: str, password: str,
                 agency: Agency | None = None) -> Producer:
    """A new agency and its owner, or, with `agency` (made by `manage.py agency_create`),
    that agency named and given its first owner. `password` was judged by Django's password
    validators already. Returns the owner."""
    name, owner_name = " ".join(name.split()), " ".join(owner_name.split())
    if not owner_name:
        raise ValidationError({"owner_name": "Enter your name."})
    email = email_normalize(email)
    _serialise_setups()
    if email_has_account(email):
        raise ValidationError({"email": f"{email} already has an account; log in with it."})
    if agency is None:
        if not signup_open():
            raise ValidationError("New agencies cannot be created here. Ask the person who "
                                  "runs this site for a setup link.")
        agency = agency_create(name=name, slug=agency_slug_for(name), time_zone=time_zone)
    else:
        agency = Agency.objects.select_for_update().get(pk=agency.pk)
        if agency.producers.exists():
            raise ValidationError("This setup link was already used. Log in instead.")
        agency.name, agency.time_zone = name, time_zone
        agency.full_clean()
        agency.save(update_fields=["name", "time_zone"])
    first_name, _, last_name = owner_name.partition(" ")
    owner = producer_create(agency=agency, username=email, password=password,
                            first_name=first_name[:150], last_name=last_name[:150],
                            email=email, role=Producer.Role.OWNER)
    audit_record(agency=agency, actor=owner, kind=AuditEvent.Kind.AGENCY_CREATED,
                 subject=agency, changes={"time_zone": [None, time_zone]})
    return owner
