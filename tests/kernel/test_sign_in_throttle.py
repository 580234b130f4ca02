"""Sign-in throttling: per account and per client, progressive delays, one throttle for every
sign-in entry point, the client address read through the trusted proxies only."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from poitiers_inclusion.enums import Role
from poitiers_inclusion.models import LoginFailure
from poitiers_inclusion.throttle import KNOWN_DEVICE_COOKIE, client_ip
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.5"  # the reverse proxy: without TRUSTED_PROXY_COUNT, every request comes from it


def _login(client, email, password, **extra):
    extra = {"REMOTE_ADDR": PROXY, **extra}
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def _signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def _age_failures(minutes):
    """Move every recorded failure back in time, as if `minutes` had passed."""
    for failure in LoginFailure.objects.all():
        failure.at -= datetime.timedelta(minutes=minutes)
        failure.save()


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.LOGIN_FAILURE_LIMIT = 5
    settings.LOGIN_CLIENT_FAILURE_LIMIT = 20
    settings.LOGIN_FAILURE_WINDOW_MINUTES = 60
    settings.LOGIN_DELAY_MAX_MINUTES = 15
    settings.TRUSTED_PROXY_COUNT = 0


def test_made_up_addresses_from_the_proxy_do_not_lock_out_a_colleague():
    """The issue's scenario: 20 failures with invented e-mails from the proxy's address used to
    lock every account signing in through that proxy for 15 minutes."""
    UserFactory(email="camille@ville.fr")
    attacker = Client()
    for n in range(20):
        _login(attacker, f"invente{n}@exemple.test", "devine")
    colleague = Client()  # a fresh browser, never signed in here: no known-device cookie
    response = _login(colleague, "camille@ville.fr", PASSWORD)
    assert response.status_code == 302
    assert _signed_in(colleague)


def test_the_attacker_is_slowed_down_on_the_addresses_it_keeps_trying():
    attacker = Client()
    # Four failures per address: under the per-account limit, so only the client's counts.
    for n in range(20):
        _login(attacker, f"invente{n % 5}@exemple.test", "devine")
    html = _login(attacker, "invente0@exemple.test", "devine").content.decode()
    assert "Trop de tentatives" in html and "Réessayez dans" in html


def test_an_account_under_attack_waits_longer_and_longer_then_gets_through():
    user = UserFactory(email="camille@ville.fr")
    attacker = Client()
    for _ in range(5):
        _login(attacker, "camille@ville.fr", "devine")
    # From anywhere without a known device, even the right password waits a minute...
    other = Client()
    html = _login(other, "camille@ville.fr", PASSWORD, REMOTE_ADDR="192.0.2.9").content.decode()
    assert "Réessayez dans 1 minute." in html and not _signed_in(other)
    # ...a refused attempt does not count as a failure, so it does not lengthen the wait...
    assert LoginFailure.objects.filter(email=user.email).count() == 5
    # ...then each further failure doubles the wait: 2 minutes, 4 minutes...
    _age_failures(1)
    _login(attacker, "camille@ville.fr", "devine")
    assert "Réessayez dans 2 minutes." in _login(attacker, "camille@ville.fr", "x").content.decode()
    _age_failures(2)
    _login(attacker, "camille@ville.fr", "devine")
    assert "Réessayez dans 4 minutes." in _login(attacker, "camille@ville.fr", "x").content.decode()
    _age_failures(4)
    _login(attacker, "camille@ville.fr", "devine")
    assert "Réessayez dans 8 minutes." in _login(attacker, "camille@ville.fr", "x").content.decode()
    # ...up to the ceiling.
    _age_failures(8)
    _login(attacker, "camille@ville.fr", "devine")
    assert (
        "Réessayez dans 15 minutes." in _login(attacker, "camille@ville.fr", "x").content.decode()
    )
    # Once the wait is over the right password works.
    _age_failures(15)
    assert _login(other, "camille@ville.fr", PASSWORD).status_code == 302


def test_failures_are_forgotten_after_the_window():
    UserFactory(email="camille@ville.fr")
    for _ in range(5):
        _login(Client(), "camille@ville.fr", "devine")
    _age_failures(61)
    client = Client()
    assert _login(client, "camille@ville.fr", PASSWORD).status_code == 302


def test_the_owner_on_a_known_device_signs_in_while_her_account_is_attacked():
    UserFactory(email="camille@ville.fr")
    own_computer = Client()
    response = _login(own_computer, "camille@ville.fr", PASSWORD)
    cookie = response.cookies[KNOWN_DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    own_computer.post(reverse("logout"))

    attacker = Client()
    for _ in range(5):
        _login(attacker, "camille@ville.fr", "devine", REMOTE_ADDR="203.0.113.7")
    assert "Trop de tentatives" in _login(Client(), "camille@ville.fr", PASSWORD).content.decode()
    # Her own browser is recognised: the attacker's failures do not count against it.
    response = _login(own_computer, "camille@ville.fr", PASSWORD)
    assert response.status_code == 302 and _signed_in(own_computer)


def test_a_known_device_is_throttled_on_its_own_failures():
    UserFactory(email="camille@ville.fr")
    device = Client()
    _login(device, "camille@ville.fr", PASSWORD)
    device.post(reverse("logout"))
    for _ in range(5):
        _login(device, "camille@ville.fr", "devine")
    assert (
        "Réessayez dans 1 minute." in _login(device, "camille@ville.fr", PASSWORD).content.decode()
    )


def test_a_forged_device_cookie_is_not_trusted():
    UserFactory(email="camille@ville.fr")
    for _ in range(5):
        _login(Client(), "camille@ville.fr", "devine")
    forger = Client()
    forger.cookies[KNOWN_DEVICE_COOKIE] = "eyJkIjoiYWJjIiwiYSI6W119:forged:signature"
    assert "Trop de tentatives" in _login(forger, "camille@ville.fr", PASSWORD).content.decode()


def test_the_django_admin_is_no_side_door_around_the_throttle():
    UserFactory(email="root@ville.fr", role=Role.ADMIN, is_staff=True, is_superuser=True)
    attacker = Client()
    for _ in range(5):
        _login(attacker, "root@ville.fr", "devine")
    side_door = Client()
    side_door.post(
        "/django-admin/login/?next=/django-admin/",
        {"username": "root@ville.fr", "password": PASSWORD},
        REMOTE_ADDR="192.0.2.9",
    )
    assert not _signed_in(side_door)
    assert side_door.get("/django-admin/").status_code == 302


def test_the_django_admin_signs_in_through_the_application_login_page():
    UserFactory(email="root@ville.fr", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client()
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    response = client.post(
        response["Location"], {"username": "root@ville.fr", "password": PASSWORD}
    )
    assert response["Location"] == "/django-admin/"
    assert client.get("/django-admin/").status_code == 200


def test_every_authenticate_call_is_throttled():
    UserFactory(email="camille@ville.fr")
    for _ in range(5):
        assert authenticate(None, username="camille@ville.fr", password="devine") is None
    assert LoginFailure.objects.filter(email="camille@ville.fr").count() == 5
    request = RequestFactory().post("/", REMOTE_ADDR="192.0.2.9")
    assert authenticate(request, username="camille@ville.fr", password=PASSWORD) is None


def test_a_staff_coordinator_cannot_use_the_django_admin(client_for):
    coordinator = UserFactory(role=Role.COORDINATEUR, is_staff=True)
    client = client_for(coordinator)
    response = client.get("/django-admin/", follow=True)
    assert response.status_code == 403
    assert "Accès refusé" in response.content.decode()
    assert client.get("/django-admin/kernel/usager/").status_code in (302, 403)


def test_a_superuser_uses_the_django_admin(client_for):
    root = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    assert client_for(root).get("/django-admin/kernel/usager/").status_code == 200


def _request(remote, forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_the_client_address_ignores_x_forwarded_for_without_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(_request(PROXY, "198.51.100.1")) == PROXY


def test_the_client_address_is_read_behind_the_trusted_proxies(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appends the address it saw; what the client wrote before it is not trusted.
    assert client_ip(_request(PROXY, "6.6.6.6, 198.51.100.1")) == "198.51.100.1"
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(PROXY, "6.6.6.6, 198.51.100.1, 10.0.0.2")) == "198.51.100.1"
    # A request that did not cross every proxy, or a malformed header: the peer's address.
    assert client_ip(_request(PROXY, "198.51.100.1")) == PROXY
    assert client_ip(_request(PROXY, "pas-une-adresse, 10.0.0.2")) == PROXY


def test_a_custom_trusted_proxy_header(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.TRUSTED_PROXY_HEADER = "X-Real-IP"
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP="198.51.100.1")
    assert client_ip(request) == "198.51.100.1"


def test_behind_the_proxy_an_attacker_is_slowed_down_per_real_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    UserFactory(email="camille@ville.fr")
    attacker = Client(HTTP_X_FORWARDED_FOR="203.0.113.7")
    for n in range(20):
        _login(attacker, f"invente{n % 5}@exemple.test", "devine")
    assert LoginFailure.objects.filter(ip="203.0.113.7").count() == 20
    assert "Trop de tentatives" in _login(attacker, "invente0@exemple.test", "x").content.decode()
    # Spoofing another address before the proxy's does not help.
    spoofer = Client(HTTP_X_FORWARDED_FOR="198.51.100.50, 203.0.113.7")
    assert "Trop de tentatives" in _login(spoofer, "invente0@exemple.test", "x").content.decode()


def test_old_failures_are_deleted(settings):
    old = LoginFailure.objects.create(
        email="ancien@ville.fr", ip=PROXY, at=timezone.now() - datetime.timedelta(days=2)
    )
    _login(Client(), "inconnu@ville.fr", "devine")
    assert not LoginFailure.objects.filter(pk=old.pk).exists()
