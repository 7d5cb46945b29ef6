"""Admin sign-in throttling (django-axes) and whose address counts."""

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.urls import reverse

from .conftest import make_staff

pytestmark = pytest.mark.django_db

LOGIN = reverse("admin:login")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def desk_editor(django_user_model):
    return make_staff(django_user_model, "desk", ["change_article"])


def sign_in(client, password, **headers):
    return client.post(
        LOGIN,
        {"username": "desk", "password": password, "next": "/admin/"},
        **headers,
    )


def fail_until_locked(client, settings, **headers):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(client, "wrong", **headers).status_code == 200
    return sign_in(client, "wrong", **headers)


def test_a_client_that_keeps_guessing_gets_a_clear_lockout_page(
    client, settings, desk_editor
):
    locked = fail_until_locked(client, settings)
    assert locked.status_code == 429
    assert "Sign-in locked" in locked.text
    assert f"{settings.AXES_FAILURE_LIMIT} failed attempts" in locked.text
    # The right password does not get through either while the lock holds.
    refused = sign_in(client, PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_forged_forwarded_for_header_neither_resets_nor_dodges_the_lockout(
    client, settings, desk_editor
):
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    locked = sign_in(client, "wrong", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert locked.status_code == 429
    for forged in ("198.51.100.8", "10.0.0.1, 192.0.2.1", "", "garbage"):
        again = sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR=forged)
        assert again.status_code == 429, forged
    assert "_auth_user_id" not in client.session
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [
        "127.0.0.1"
    ]


def test_behind_one_trusted_proxy_only_the_address_it_recorded_counts(
    client, settings, desk_editor
):
    settings.TRUSTED_PROXIES = 1
    # The client may prepend anything; our proxy appends the real address last.
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(
            client, "wrong", HTTP_X_FORWARDED_FOR=f"6.6.6.{n}, 198.51.100.7"
        )
    assert response.status_code == 429
    spoofed = sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.7")
    assert spoofed.status_code == 429
    # Another reader behind the same proxy is not locked out.
    other = sign_in(client, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.55")
    assert other.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"


def test_an_administrator_lifts_a_lockout_with_axes_reset(
    client, settings, desk_editor
):
    assert fail_until_locked(client, settings).status_code == 429
    call_command("axes_reset", verbosity=0)
    assert sign_in(client, PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(desk_editor.pk)


def test_signing_in_correctly_clears_earlier_failures(client, settings, desk_editor):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "wrong").status_code == 200  # counting starts again
