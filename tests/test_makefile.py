"""`make run` serves on PORT and tells the app so: links in e-mails name the same address."""

import os
import shlex
import subprocess
import sys

from django.conf import settings


def _make_run_commands(**env: str) -> list[list[str]]:
    """The commands `make run` would run (a dry run; the virtualenv step is left out)."""
    result = subprocess.run(
        ["make", "--dry-run", "--old-file=.venv/.run", "run"],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [shlex.split(line) for line in result.stdout.splitlines() if "manage.py" in line]


def _env_of(command: list[str]) -> dict[str, str]:
    return dict(word.split("=", 1) for word in command if "=" in word and not word.startswith("-"))


def test_make_run_serves_on_port_and_sets_the_site_address_to_match():
    commands = _make_run_commands(PORT="8100")

    [runserver] = [c for c in commands if "runserver" in c]
    assert runserver[-1] == "127.0.0.1:8100"
    # migrate, demo_data (which prints links) and runserver all see the same address.
    assert len(commands) == 3
    for command in commands:
        assert _env_of(command)["SITE_URL"] == "http://127.0.0.1:8100"


def test_make_run_defaults_to_port_8000():
    [runserver] = [c for c in _make_run_commands() if "runserver" in c]

    assert runserver[-1] == "127.0.0.1:8000"
    assert _env_of(runserver)["SITE_URL"] == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_the_port():
    [runserver] = [
        c
        for c in _make_run_commands(PORT="8100", SITE_URL="https://workback.example")
        if "runserver" in c
    ]

    assert runserver[-1] == "127.0.0.1:8100"
    assert _env_of(runserver)["SITE_URL"] == "https://workback.example"


def test_the_settings_take_the_site_address_make_run_gives_them():
    [runserver] = [c for c in _make_run_commands(PORT="8100") if "runserver" in c]
    code = "from django.conf import settings; print(settings.SITE_URL)"

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ["PATH"], **_env_of(runserver)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )

    assert result.stdout.strip() == "http://127.0.0.1:8100"
