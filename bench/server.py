"""The processes `make bench` drives: Django commands, the bench databases, gunicorn, HTTP."""

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
HOST = "127.0.0.1"
PORT = int(os.environ.get("BENCH_PORT", "8765"))
WORKERS = 2


def say(message: str) -> None:
    print(message, flush=True)  # noqa: T201


# --- Processes ----------------------------------------------------------------------


def run(command: list[str], env: dict, *, capture: bool = True, timeout: int = 900) -> str:
    result = subprocess.run(  # noqa: S603 - our own commands, no shell
        command,
        cwd=ROOT,
        env=env,
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        output = (result.stdout or "") + (result.stderr or "")
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{output[-4000:]}")
    return result.stdout or ""


def django_step(step: str, env: dict, manifest: Path) -> dict:
    output = run([PYTHON, str(BENCH / "django_steps.py"), step, "--manifest", str(manifest)], env)
    return json.loads(output.strip().splitlines()[-1])


def manage(env: dict, *args: str) -> str:
    return run([PYTHON, "manage.py", *args], env)


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def ensure_database(url: str) -> None:
    """Create the database ``url`` names if it does not exist (PostgreSQL only)."""
    import psycopg

    name = database_name(url)
    with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')  # our own name, not input


def bench_env(database_url: str, redis_url: str, secret: str, static_root: Path) -> dict:
    """Production settings as a deployment sets them, plus the baselines."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only if HOME is unset
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "wbapp.settings",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": HOST,
        # Plain http on the loopback: no TLS proxy in front.
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_MANIFEST": "1",
        "STATIC_ROOT": str(static_root),
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": "wbbench",
        "BENCH_BASELINES": "1",
        "LOG_LEVEL": "WARNING",
    }


class Gunicorn:
    def __init__(self, env: dict, log: Path):
        self.env = env
        self.log = log
        self.process = None

    def __enter__(self):
        # Another server on the port would answer our requests instead of gunicorn.
        with socket.socket() as probe:
            if probe.connect_ex((HOST, PORT)) == 0:
                raise SystemExit(f"Port {PORT} is in use; set BENCH_PORT to a free one.")
        command = [
            PYTHON,
            "-m",
            "gunicorn",
            "wbapp.wsgi:application",
            f"--workers={WORKERS}",
            f"--bind={HOST}:{PORT}",
            "--log-level=warning",
        ]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + 30
        while True:
            try:
                status, _, _ = fetch("/healthz")
                if status == 200:
                    return self
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.2)

    def workers(self) -> list[int]:
        children = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == self.process.pid:
                children.append(int(stat.parent.name))
        return sorted(children)

    def peak_memory_mb(self) -> dict[int, float]:
        """VmHWM (peak resident set) of each worker, in MB."""
        peaks = {}
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            match = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            if match:
                peaks[pid] = round(int(match[1]) / 1024, 1)
        return peaks

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


# --- HTTP ---------------------------------------------------------------------------


def fetch(path: str, headers: dict | None = None, *, method: str = "GET", body: str = ""):
    connection = http.client.HTTPConnection(HOST, PORT, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def cookie(session_key: str, csrf: str = "") -> str:
    value = f"sessionid={session_key}"
    return f"{value}; csrftoken={csrf}" if csrf else value
