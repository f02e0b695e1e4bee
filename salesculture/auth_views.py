"""Password reset for everyone, with Django's views: the email goes through the configured
backend, at most one per address every PASSWORD_RESET_EVERY_SECONDS, and the page answers
the same whether or not the address belongs to anyone (no one learns who has an account)."""

import hashlib

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm

from .sessions import client_ip
from .throttle import rate_take

# Requests from one address per hour, whatever email they name: guessing addresses in bulk
# gets no emails sent, while a person who mistyped theirs can try again.
RESETS_PER_CLIENT_PER_HOUR = 20


class ThrottledPasswordResetForm(PasswordResetForm):
    def __init__(self, *args, client: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.client = client

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"].strip().lower()
        address_key = hashlib.sha256(email.encode()).hexdigest()  # no address in cache keys
        if not rate_take(scope="password_reset_client", key=self.client,
                         limit=RESETS_PER_CLIENT_PER_HOUR, window=3600):
            return
        if not rate_take(scope="password_reset", key=address_key, limit=1,
                         window=settings.PASSWORD_RESET_EVERY_SECONDS):
            return
        super().save(*args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ThrottledPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "client": client_ip(self.request)}
