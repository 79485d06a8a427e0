"""Background jobs, enqueued by task name once the change that asks for them commits.

Services name the task instead of importing it, so that no services module imports
its app's tasks module (which imports the services): the import graph stays one-way.
``tests/test_jobs.py`` checks that every name enqueued anywhere is a registered task.

With ``CELERY_TASK_ALWAYS_EAGER`` (``make run``, without Redis) a named task runs in
this process, as ``apply_async`` would run it; otherwise it goes to the broker.
"""

from django.db import transaction

from wbapp.celery import app


def enqueue(name: str, *args, robust: bool = False, **options) -> None:
    """Run task ``name`` with ``args`` after the current transaction commits.

    ``options`` are ``apply_async``'s (``eta``, ``countdown``, ``queue``). ``robust``:
    a failure to enqueue (or, eagerly, of the task itself) is logged by Django and
    does not fail the request whose change already committed.
    """

    def send_after_commit():
        send(name, *args, **options)

    # What Django's log names when a robust callback fails (a partial has no name).
    send_after_commit.__qualname__ = f"the job {name}"
    transaction.on_commit(send_after_commit, robust=robust)


def send(name: str, *args, **options):
    """Run task ``name`` with ``args`` now: on a worker, or in-process when eager."""
    if app.conf.task_always_eager:
        # send_task ignores eager mode: run the registered task as apply_async would.
        return registered(name).apply_async(args, **options)
    return app.send_task(name, args, **options)


def registered(name: str):
    """The task registered under ``name``, importing every app's tasks module first."""
    if name not in app.tasks:
        # Celery autodiscovers the apps' tasks modules when its loader imports them;
        # a web process never asked it to until now.
        app.loader.import_default_modules()
    return app.tasks[name]
