"""Password reset for everyone: Django's views in the app's look, the email through the
configured backend, one per address every few minutes, and the same answer whether or not
the address has an account."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import login


def ask(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def test_the_login_page_links_to_the_reset(client, db):
    page = client.get(reverse("login")).content.decode()
    assert "Forgot your password?" in page and reverse("password_reset") in page


def test_a_reset_email_lets_the_person_choose_a_new_password(client, producer):
    response = ask(client, producer.user.email.upper())

    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [producer.user.email]
    assert message.subject == "Reset your Sales Culture password"
    link = re.search(r"http://testserver(\S+)", message.body).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "brisk-lantern-31",
                                                    "new_password2": "brisk-lantern-31"},
                       follow=True)
    assert "Password changed" in done.content.decode()
    assert Client().post("/login/", {"username": "pat", "password": "brisk-lantern-31"}
                         ).status_code == 302
    # the link is spent
    assert "does not work any more" in client.get(link, follow=True).content.decode()


def test_a_weak_new_password_is_refused(client, producer):
    ask(client, producer.user.email)
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert "This password is too short" in response.content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_email(client, producer):
    known = ask(client, producer.user.email)
    unknown = ask(client, "nobody@example.com")
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1
    page = client.get(unknown.url).content.decode()
    assert "If an account uses that address" in page


def test_resets_are_throttled_per_address(client, producer, leader, settings):
    settings.PASSWORD_RESET_EVERY_SECONDS = 300
    for _ in range(3):
        assert ask(client, producer.user.email).status_code == 302
    assert len(mail.outbox) == 1
    # another address is not held up by it
    ask(client, leader.user.email)
    assert [m.to for m in mail.outbox] == [[producer.user.email], [leader.user.email]]


def test_a_deactivated_person_gets_no_reset_email(client, owner, producer):
    login(Client(), owner).post(reverse("person_active", args=[producer.pk]), {"active": "0"})
    assert ask(client, producer.user.email).status_code == 302
    assert mail.outbox == []


def test_the_reset_pages_answer_a_bad_link_with_a_message(client, db):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 200
    assert "does not work any more" in response.content.decode()
    assert client.get(reverse("password_reset_complete")).status_code == 200
