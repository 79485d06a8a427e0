import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Every cast member gets a password; the production hasher makes that the slowest step.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_terminal_summary(terminalreporter):
    # How many anchors the carry-forward property tests re-anchored (issue 5 asks).
    from tests.reviews.carrying import ANCHORS_EXERCISED

    if ANCHORS_EXERCISED[0]:
        terminalreporter.write_line(
            f"carry-forward property tests: {ANCHORS_EXERCISED[0]} anchors re-anchored"
        )
