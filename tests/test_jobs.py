"""wbapp/jobs.py: every task name enqueued is a task, and each job runs after the commit."""

import ast
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from wbapp import jobs
from wbapp.celery import app

ROOT = Path(settings.BASE_DIR)


def _names_enqueued_in_the_code() -> set[str]:
    """The first argument of every ``jobs.enqueue(...)`` and ``jobs.send(...)`` in the project."""
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    names = set()
    for path in files:
        if path.startswith("tests/") or not (ROOT / path).exists():  # deleted, not committed
            continue
        for node in ast.walk(ast.parse((ROOT / path).read_text(), path)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "jobs"
                and node.func.attr in ("enqueue", "send")
            ):
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path}:{node.lineno}: name it literally"
                names.add(first.value)
    return names


def test_every_task_name_the_code_enqueues_is_a_registered_task():
    names = _names_enqueued_in_the_code()
    app.loader.import_default_modules()

    assert "reviews.tasks.end_reading_if_due" in names
    assert sorted(name for name in names if name not in app.tasks) == []


def test_every_periodic_entry_names_a_registered_task():
    app.loader.import_default_modules()

    tasks = [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()]

    assert tasks
    assert sorted(name for name in tasks if name not in app.tasks) == []


@app.task(name="tests.test_jobs.remember")
def remember(value):
    ran.append(value)
    return value


ran: list = []


@pytest.mark.django_db
def test_a_job_runs_only_once_its_transaction_commits(django_capture_on_commit_callbacks):
    ran.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        jobs.enqueue("tests.test_jobs.remember", 7)
        assert ran == []

    assert ran == [7]


@pytest.mark.django_db
def test_a_job_of_a_transaction_rolled_back_never_runs(django_capture_on_commit_callbacks):
    ran.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        jobs.enqueue("tests.test_jobs.remember", 8)
        raise RuntimeError

    assert callbacks == []
    assert ran == []


def test_an_unknown_name_is_refused_at_once_when_tasks_run_in_process():
    with pytest.raises(KeyError):
        jobs.send("tests.test_jobs.no_such_task")
