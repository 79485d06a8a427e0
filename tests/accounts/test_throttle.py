"""The per-account-and-address count of failed sign-ins, on the real cache (Redis)."""

import time

import pytest

from wbapp.accounts import throttle

LEE = "lee@example.com"
HOME = "203.0.113.5"


def fail(times, *, email=LEE, address=HOME):
    for _ in range(times):
        assert throttle.claim(email=email, address=address) == 0
        throttle.failed(email=email, address=address)


def test_attempts_sent_at_once_past_the_free_ones_let_only_one_through():
    fail(4)

    first = throttle.claim(email=LEE, address=HOME)
    # Sent alongside, before the first one's password was checked.
    second = throttle.claim(email=LEE, address=HOME)

    assert first == 0
    assert second in (59, 60)


def test_the_address_typed_counts_in_any_case():
    fail(5, email="Lee@Example.com")

    assert throttle.waiting(email=" lee@example.com", address=HOME) in (59, 60)


def test_an_ipv6_client_is_its_network():
    for number in range(5):
        address = f"2001:db8:0:7::{number + 1:x}"
        assert throttle.claim(email=LEE, address=address) == 0
        throttle.failed(email=LEE, address=address)

    assert throttle.waiting(email=LEE, address="2001:db8:0:7:ffff::1") in (59, 60)
    assert throttle.waiting(email=LEE, address="2001:db8:0:8::1") == 0


def test_the_wait_stops_growing_at_the_longest(settings):
    settings.LOGIN_THROTTLE_FIRST_WAIT = 1
    settings.LOGIN_THROTTLE_LONGEST_WAIT = 1
    fail(5)
    time.sleep(1.1)
    fail(1)

    assert throttle.waiting(email=LEE, address=HOME) == 1


def test_a_pair_without_failures_for_a_while_is_forgotten(settings):
    settings.LOGIN_THROTTLE_MEMORY = 1
    fail(4)
    time.sleep(1.1)

    fail(1)

    assert throttle.waiting(email=LEE, address=HOME) == 0


def test_a_success_forgets_the_pair():
    fail(4)
    assert throttle.claim(email=LEE, address=HOME) == 0

    throttle.succeeded(email=LEE, address=HOME)

    assert throttle.waiting(email=LEE, address=HOME) == 0
    fail(4)


@pytest.mark.parametrize(
    ("action", "seconds"),
    [("signup", 60), ("reset_password", 60), ("login_failed", 60), ("nothing_limited", 0)],
)
def test_allauths_longest_window_is_read_from_its_settings(action, seconds):
    assert throttle.longest_window(action) == seconds


def test_the_longest_of_several_windows_counts(settings):
    settings.ACCOUNT_RATE_LIMITS = {"reset_password": "20/m/ip,5/5m/key,2/90s/key"}

    assert throttle.longest_window("reset_password") == 300


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (29, "29 seconds"), (30, "1 minute"), (60, "1 minute"), (61, "2 minutes")],
)
def test_the_wait_in_words(seconds, words):
    assert throttle.in_words(seconds) == words
