"""Which address is the client: X-Forwarded-For is believed only from trusted proxies
(DECISIONGUIDE_TRUSTED_PROXIES, addresses or CIDR ranges), read from the right.
The result rate limit and the admin lockout (django-axes) both count by it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from decisionguide.results.models import Result
from decisionguide.results.ratelimit import client_address
from tests.servers import manage, production_env, settings_under
from tests.stored_results import post_result, scenario_answers

PROXIES = ["10.0.0.0/8", "::1/128"]


def address(remote: str, forwarded: str | None = None) -> str:
    headers = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client_address(RequestFactory().get("/", REMOTE_ADDR=remote, **headers))


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        # Straight from a client: whatever it says it forwarded is ignored.
        ("203.0.113.9", "198.51.100.7", "203.0.113.9"),
        ("203.0.113.9", "10.0.0.5", "203.0.113.9"),
        # From the proxy: the address it appended is the client.
        ("10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # What the client wrote itself stays left of that, ignored.
        ("10.0.0.1", "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        # Two proxies (a load balancer, then nginx): both skipped.
        ("10.0.0.1", "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        # IPv6, and an IPv4 client seen through an IPv6 socket.
        ("::1", "2001:db8::5", "2001:db8::5"),
        ("::ffff:10.0.0.1", "198.51.100.7", "198.51.100.7"),
        # No header, or only proxies: the nearest client-side hop.
        ("10.0.0.1", None, "10.0.0.1"),
        ("10.0.0.1", "10.0.0.9", "10.0.0.9"),
        # Not an address: the walk stops at the last trusted hop.
        ("10.0.0.1", "198.51.100.7, not-an-address", "10.0.0.1"),
        ("10.0.0.1", "198.51.100.7:4711", "10.0.0.1"),
        ("10.0.0.1", "garbage, 10.0.0.9", "10.0.0.9"),
    ],
)
def test_the_client_is_the_first_untrusted_address_from_the_right(
    settings, remote, forwarded, client
):
    settings.DECISIONGUIDE_TRUSTED_PROXIES = PROXIES
    assert address(remote, forwarded) == client


def test_without_trusted_proxies_the_connection_is_the_client(settings):
    settings.DECISIONGUIDE_TRUSTED_PROXIES = []
    assert address("10.0.0.1", "198.51.100.7") == "10.0.0.1"


# ---------------------------------------------------------------------------
# The result rate limit


@pytest.fixture
def one_result_an_hour(settings, seed_guide):
    settings.DECISIONGUIDE_TRUSTED_PROXIES = PROXIES
    settings.DECISIONGUIDE_RESULTS_PER_HOUR = 1
    doc = seed_guide.published_document()
    return doc, scenario_answers(doc)


def test_a_forged_forwarded_for_gets_no_fresh_allowance(client, one_result_an_hour):
    doc, answers = one_result_an_hour
    direct = {"REMOTE_ADDR": "203.0.113.9"}
    assert post_result(client, doc, answers, **direct).status_code == 303
    for n in range(3):
        forged = direct | {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert post_result(client, doc, answers, **forged).status_code == 429
    assert Result.objects.count() == 1


def test_through_a_trusted_proxy_each_forwarded_client_has_its_own_allowance(
    client, one_result_an_hour
):
    doc, answers = one_result_an_hour
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(3):
        visitor = proxy | {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}
        assert post_result(client, doc, answers, **visitor).status_code == 303
    again = proxy | {"HTTP_X_FORWARDED_FOR": "198.51.100.0"}
    assert post_result(client, doc, answers, **again).status_code == 429
    assert Result.objects.count() == 3


# ---------------------------------------------------------------------------
# The setting, as production reads it


def test_the_setting_takes_addresses_and_ranges(tmp_path):
    env = production_env(tmp_path, DECISIONGUIDE_TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8,::1")
    values = settings_under(env, ["DECISIONGUIDE_TRUSTED_PROXIES"])
    assert values["DECISIONGUIDE_TRUSTED_PROXIES"] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]


@pytest.mark.parametrize(
    ("value", "explained"),
    [("1", "no longer counts proxies"), ("10.0.0.0/33", "CIDR"), ("10.1.2.3/8", "host bits")],
)
def test_a_count_of_proxies_or_a_bad_range_stops_the_start(tmp_path, value, explained):
    result = manage(["check"], production_env(tmp_path, DECISIONGUIDE_TRUSTED_PROXIES=value))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert explained in result.stderr
