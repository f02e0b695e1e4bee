"""`manage.py agency_create "Summit Insurance"`: makes the agency (with the default stages and
activity types) and prints a one-time link where its first owner finishes the setup in the
browser (their name, email and password; the agency's name and time zone can be changed
there). Works whatever SIGNUP_ENABLED says: whoever runs the command runs the site."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from pipeline.services import agency_create
from pipeline.setup import SETUP_LINK_DAYS, agency_slug_for, setup_token_make


class Command(BaseCommand):
    help = "Create an agency and print a one-time link for its first owner to finish setup."

    def add_arguments(self, parser):
        parser.add_argument("name", help="the agency's name")
        parser.add_argument("--time-zone", default="America/Chicago",
                            help="IANA time zone of the agency (default America/Chicago)")

    def handle(self, *args, name: str, time_zone: str, **options):
        name = " ".join(name.split())
        try:
            agency = agency_create(name=name, slug=agency_slug_for(name), time_zone=time_zone)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        link = settings.SITE_URL.rstrip("/") + reverse("first_run_link",
                                                      args=[setup_token_make(agency)])
        self.stdout.write(f"Created {agency.name} ({agency.time_zone}).\n"
                          f"Its first owner finishes the setup here (works once, for "
                          f"{SETUP_LINK_DAYS} days):\n{link}")
