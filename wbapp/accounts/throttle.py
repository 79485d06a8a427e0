"""Failed sign-ins, counted per account *and* client address together.

allauth limits what one client address may do (``ACCOUNT_RATE_LIMITS``). What it cannot
count is an account from one address: its per-account limit let anyone keep an owner out
by failing on purpose. Here each pair (the address typed in, the client address) gets
five failures free, then waits before each further attempt: 1 minute, 2, 4, … at most 15
(``settings.LOGIN_THROTTLE_*``). The owner, signing in from their own address, is never
slowed by an attacker's failures. A success forgets the pair, and so do a password
reset from that address (``signin``) and a day without failures.

An attempt is claimed before the password is checked, as allauth does with its own
limits: of attempts sent at once past the free ones, only one sets the next wait and
goes ahead; the others are told to wait.
"""

import hashlib
import ipaddress
import math
import time

from allauth import app_settings as allauth_core_settings
from allauth.account import app_settings as allauth_settings
from django.conf import settings
from django.core.cache import cache

# The code of a refused sign-in (allauth's own, too): the sign-in views answer it with 429.
TOO_MANY = "too_many_login_attempts"
# Longest doubling counted, so that the wait is computed without a huge number.
_MOST_DOUBLINGS = 20
_UNITS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def _client(address: str) -> str:
    """An IPv6 client is its network (/64 by default), as in allauth's limits: one
    subscriber holds the whole network, and each address in it would be a fresh pair."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        prefix = allauth_core_settings.RATE_LIMIT_IPV6_PREFIX
        return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)
    return str(ip)


def _keys(email: str, address: str) -> tuple[str, str]:
    pair = hashlib.sha256(f"{email.strip().lower()}\n{_client(address)}".encode()).hexdigest()
    return f"signin:{pair}:failures", f"signin:{pair}:until"


def _remaining(until: float | None) -> int:
    return max(0, math.ceil(until - time.time())) if until else 0


def waiting(*, email: str, address: str) -> int:
    """Seconds this pair must still wait before its next attempt (0: none)."""
    return _remaining(cache.get(_keys(email, address)[1]))


def claim(*, email: str, address: str) -> int:
    """Claim an attempt for the pair: 0 when it may go ahead, else the seconds to wait.

    The attempt counts as a failure until ``succeeded`` says otherwise.
    """
    failures_key, until_key = _keys(email, address)
    wait = _remaining(cache.get(until_key))
    if wait:
        return wait
    cache.add(failures_key, 0, settings.LOGIN_THROTTLE_MEMORY)
    past_free = cache.incr(failures_key) - settings.LOGIN_THROTTLE_FREE_FAILURES
    if past_free < 0:
        return 0
    wait = min(
        settings.LOGIN_THROTTLE_FIRST_WAIT * 2 ** min(past_free, _MOST_DOUBLINGS),
        settings.LOGIN_THROTTLE_LONGEST_WAIT,
    )
    # The wait before the next attempt, set now: if this one fails, it stands.
    if not cache.add(until_key, time.time() + wait, wait):
        # Another attempt from the pair got here first and set the wait.
        cache.decr(failures_key)
        return max(1, _remaining(cache.get(until_key)))
    return 0


def failed(*, email: str, address: str) -> None:
    """The claimed attempt failed: remember the pair for another day from now."""
    cache.touch(_keys(email, address)[0], settings.LOGIN_THROTTLE_MEMORY)


def succeeded(*, email: str, address: str) -> None:
    """Whoever signed in knows the password: their address's failures are forgotten."""
    cache.delete_many(_keys(email, address))


def longest_window(action: str) -> int:
    """Seconds after which allauth's limits on ``action`` let a refused client try again.

    Its limits are sliding windows (``"20/m/ip,5/m/key"``): by the end of the longest
    one, the oldest attempt counted has left it.
    """
    windows = [0]
    for rate in (allauth_settings.RATE_LIMITS.get(action) or "").split(","):
        if rate.strip():
            duration = rate.strip().split("/")[1]
            windows.append(math.ceil(float(duration[:-1] or 1) * _UNITS[duration[-1]]))
    return max(windows)


def in_words(seconds: int) -> str:
    """``"1 minute"``, ``"2 seconds"``: how long to wait, for a person (never too short)."""
    if seconds < 30:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minute{'' if minutes == 1 else 's'}"
