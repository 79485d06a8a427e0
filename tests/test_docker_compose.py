"""The production files: docker-compose.yml, the Dockerfile and .dockerignore.

Docker itself does not run in the test suite; these tests check that what the
files name exists and works: entry points, settings variables, the health
probe, the static-files build step.
"""

import ast
import json
import os
import re
import shlex
import socket
import subprocess
import sys

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands
from gunicorn.config import Config

BASE_DIR = settings.BASE_DIR
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
APP_SERVICES = ("migrate", "web", "worker", "beat")
DOCKERFILE = (BASE_DIR / "Dockerfile").read_text()


def _variables_settings_read() -> set[str]:
    """Every NAME in an ``env_*("NAME", ...)`` call in wbapp/settings.py."""
    tree = ast.parse((BASE_DIR / "wbapp" / "settings.py").read_text())
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id.startswith("env_")
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?::(?P<op>[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:-default}`` and ``${NAME:?error}``, for these tests."""

    def substitute(match):
        name, op, arg = match.group("name", "op", "arg")
        if env.get(name):
            return env[name]
        if op == "?":
            raise LookupError(f"{name}: {arg}")
        return arg or ""

    return _INTERPOLATION.sub(substitute, value)


def _environment(service: str, env: dict[str, str] | None = None) -> dict[str, str]:
    raw = SERVICES[service].get("environment", {})
    return {name: _interpolate(str(value), env or {}) for name, value in raw.items()}


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _as_installed(command: list[str]) -> list[str]:
    """A container's command, run with this virtualenv's Python and scripts."""
    program, *args = command
    if program == "python":
        return [sys.executable, *args]
    return [sys.executable, "-m", program, *args]


LOCAL_ENV = {"SECRET_KEY": "a-key-for-the-compose-tests"}


# --- The stack -----------------------------------------------------------------


def test_stack_runs_the_database_redis_web_worker_beat_and_mailpit():
    assert set(SERVICES) == {"db", "redis", "migrate", "web", "worker", "beat", "mailpit"}
    assert SERVICES["db"]["image"] == "postgres:16"
    assert SERVICES["redis"]["image"] == "redis:7"
    assert SERVICES["mailpit"]["image"].startswith("axllent/mailpit")
    assert "8025:8025" in SERVICES["mailpit"]["ports"]
    for service in APP_SERVICES:
        assert SERVICES[service]["build"] == "."


def test_database_lives_on_a_named_volume():
    [mount] = [v for v in SERVICES["db"]["volumes"] if v.endswith(":/var/lib/postgresql/data")]
    volume = mount.split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_uploads_live_on_a_volume_shared_by_web_and_worker():
    # MEDIA_ROOT defaults to media/ in the project, /app/media in the image.
    assert "mkdir -p /app/media" in DOCKERFILE
    for service in ("web", "worker"):
        assert "media:/app/media" in SERVICES[service]["volumes"], service
    assert "media" in COMPOSE["volumes"]


def test_app_services_wait_for_a_healthy_database_and_redis():
    for service in APP_SERVICES:
        depends_on = SERVICES[service]["depends_on"]
        assert depends_on["db"] == {"condition": "service_healthy"}, service
        assert depends_on["redis"] == {"condition": "service_healthy"}, service


def test_web_worker_and_beat_start_after_the_migrations_succeed():
    assert _as_installed(SERVICES["migrate"]["command"])[1:] == [
        "manage.py",
        "migrate",
        "--noinput",
    ]
    assert "migrate" in get_commands()
    assert SERVICES["migrate"]["restart"] == "no"
    for service in ("web", "worker", "beat"):
        condition = SERVICES[service]["depends_on"]["migrate"]["condition"]
        assert condition == "service_completed_successfully", service


def test_database_redis_and_web_have_healthchecks():
    assert SERVICES["db"]["healthcheck"]["test"][:2] == ["CMD", "pg_isready"]
    assert SERVICES["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    probe = SERVICES["web"]["healthcheck"]["test"]
    assert probe[:3] == ["CMD", "python", "-c"]
    assert "/healthz" in probe[3]


# --- Entry points ----------------------------------------------------------------


def test_web_command_is_the_images_command():
    cmd = next(line for line in DOCKERFILE.splitlines() if line.startswith("CMD "))
    assert SERVICES["web"]["command"] == json.loads(cmd.removeprefix("CMD "))


def test_web_command_loads_the_wsgi_application():
    command = SERVICES["web"]["command"]
    assert command[:2] == ["gunicorn", "wbapp.wsgi:application"]

    # gunicorn imports the application and exits: non-zero if it cannot.
    result = _run([*_as_installed(command), "--check-config"], _environment("web", LOCAL_ENV))

    assert result.returncode == 0, result.stderr


def test_gunicorn_reads_the_projects_settings_file_in_the_image():
    # gunicorn.conf.py (no Server header) is read from the working directory, by default.
    ignored = (BASE_DIR / ".dockerignore").read_text().splitlines()
    instructions = _instructions(DOCKERFILE)

    assert Config().settings["config"].default == "./gunicorn.conf.py"
    assert (BASE_DIR / "gunicorn.conf.py").is_file()
    assert "gunicorn.conf.py" not in ignored
    assert ("WORKDIR", "/app") in instructions
    assert ("COPY", ". .") in instructions
    assert not {"-c", "--config"} & set(SERVICES["web"]["command"])


def test_web_check_fails_for_a_missing_application():
    # The check above can fail.
    command = [sys.executable, "-m", "gunicorn", "wbapp.wsgi:missing", "--check-config"]

    assert _run(command, _environment("web", LOCAL_ENV)).returncode != 0


@pytest.mark.parametrize("service", ["worker", "beat"])
def test_celery_commands_load_the_project_app(service):
    command = SERVICES[service]["command"]
    assert command[:4] == ["celery", "-A", "wbapp", service]

    # --help exits 0 only after the app has loaded and every option was understood.
    result = _run([*_as_installed(command), "--help"], _environment(service, LOCAL_ENV))

    assert result.returncode == 0, result.stderr


def test_celery_check_fails_for_an_unknown_option():
    command = [sys.executable, "-m", "celery", "-A", "wbapp", "beat", "--no-such-option", "--help"]

    assert _run(command, _environment("beat", LOCAL_ENV)).returncode != 0


# --- Environment -------------------------------------------------------------------


@pytest.mark.parametrize("service", APP_SERVICES)
def test_every_variable_given_to_the_app_is_read_by_settings(service):
    unknown = set(SERVICES[service]["environment"]) - _variables_settings_read()

    assert not unknown, f"{service} sets variables that wbapp/settings.py never reads: {unknown}"


def test_settings_reader_finds_the_variables():
    # The scan above would pass vacuously if it found nothing.
    assert {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_PORT"} <= (
        _variables_settings_read()
    )


def test_app_services_share_one_environment():
    environments = [SERVICES[service]["environment"] for service in APP_SERVICES]

    assert all(environment == environments[0] for environment in environments)


def test_app_uses_the_stacks_database_redis_and_mailpit():
    env = _environment("web", LOCAL_ENV)

    assert env["DATABASE_URL"].startswith("postgres://")
    assert "@db:5432/" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:6379/")
    assert env["EMAIL_HOST"] == "mailpit"
    assert env["EMAIL_PORT"] == "1025"
    assert env["ALLOWED_HOSTS"]
    assert env["SITE_URL"] == "http://localhost:8000"
    assert "DEBUG" not in env


def test_the_client_address_is_read_as_the_stack_is_served():
    # gunicorn is published directly: no proxy of ours writes X-Forwarded-For.
    assert _environment("web", LOCAL_ENV)["TRUSTED_PROXY_COUNT"] == "0"
    # Behind a TLS-terminating proxy, one variable says so.
    behind_proxy = _environment("web", {**LOCAL_ENV, "TRUSTED_PROXY_COUNT": "1"})
    assert behind_proxy["TRUSTED_PROXY_COUNT"] == "1"


def test_secret_key_is_required_and_never_committed():
    assert re.fullmatch(r"\$\{SECRET_KEY:\?[^}]+\}", SERVICES["web"]["environment"]["SECRET_KEY"])
    with pytest.raises(LookupError, match="SECRET_KEY"):
        _environment("web", {})


def test_database_password_is_the_one_postgres_is_given():
    env = {"SECRET_KEY": "x", "POSTGRES_PASSWORD": "s3cret"}
    database_url = _environment("web", env)["DATABASE_URL"]

    assert _environment("db", env)["POSTGRES_PASSWORD"] == "s3cret"
    assert database_url == "postgres://workback:s3cret@db:5432/workback"


def test_app_environment_passes_the_settings_checks():
    result = _run([sys.executable, "manage.py", "check"], _environment("web", LOCAL_ENV))

    assert result.returncode == 0, result.stderr


# --- The health probe against a running server -------------------------------------


@pytest.mark.django_db(transaction=True)
def test_web_healthcheck_passes_against_a_healthy_server(production_web_server):
    probe = SERVICES["web"]["healthcheck"]["test"][1:]

    result = _run(_as_installed(probe), production_web_server.env)

    assert result.returncode == 0, result.stderr


def test_web_healthcheck_fails_when_nothing_answers():
    probe = SERVICES["web"]["healthcheck"]["test"][1:]
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        env = {"ALLOWED_HOSTS": "workback.example", "PORT": str(unused.getsockname()[1])}

    assert _run(_as_installed(probe), env).returncode != 0


# --- The image ------------------------------------------------------------------------


def _instructions(dockerfile: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    lines = (line.strip() for line in joined.splitlines())
    return [tuple(line.split(maxsplit=1)) for line in lines if line and not line.startswith("#")]


def test_image_is_python_slim_with_the_locked_dependencies():
    instructions = _instructions(DOCKERFILE)
    runs = [shlex.split(argument) for op, argument in instructions if op == "RUN"]

    assert instructions[0] == ("FROM", "python:3.12-slim")
    install = next(run for run in runs if run[:2] == ["pip", "install"])
    assert "--require-hashes" in install
    assert install[install.index("-r") + 1] == "requirements.lock"


def test_image_collects_hashed_static_files_at_build():
    runs = [argument for op, argument in _instructions(DOCKERFILE) if op == "RUN"]
    [collectstatic] = [run for run in runs if "collectstatic" in run]

    assert "STATIC_MANIFEST=1" in collectstatic
    assert "manage.py collectstatic --noinput" in collectstatic


def test_image_runs_as_an_unprivileged_user():
    instructions = _instructions(DOCKERFILE)
    users = [argument for op, argument in instructions if op == "USER"]

    assert users
    assert users[-1] not in {"root", "0"}
    # Nothing after the switch runs as root again.
    assert [op for op, _ in instructions].index("USER") > max(
        index for index, (op, _) in enumerate(instructions) if op == "RUN"
    )


def test_build_context_leaves_out_local_state():
    ignored = {
        line.strip()
        for line in (BASE_DIR / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    assert {".git", ".venv", "db.sqlite3", "media", "staticfiles", ".env"} <= ignored
    # What the image needs is not ignored.
    assert not ignored & {"requirements.lock", "manage.py", "wbapp", "templates", "static"}


def test_static_files_build_with_the_manifest(tmp_path):
    """The Dockerfile's collectstatic step: every file a stylesheet refers to exists."""
    (tmp_path / "build_settings.py").write_text(
        f"from wbapp.settings import *  # noqa: F403\nSTATIC_ROOT = {str(tmp_path / 'static')!r}\n"
    )
    collectstatic = next(
        argument
        for op, argument in _instructions(DOCKERFILE)
        if op == "RUN" and "collectstatic" in argument
    )
    *assignments, python, manage, command, flag = shlex.split(collectstatic)
    env = dict(assignment.split("=", 1) for assignment in assignments)
    env.update(DJANGO_SETTINGS_MODULE="build_settings", PYTHONPATH=str(tmp_path))

    result = _run([sys.executable, manage, command, flag], env)

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())
    assert "css/app.css" in manifest["paths"]
    assert (tmp_path / "static" / (manifest["paths"]["css/app.css"] + ".br")).exists()
