"""`make audit` checks both locks against an OSV database, and says so when it cannot.

The database here is a small OSV stand-in on localhost (bin/audit takes OSV_URL), so the
tests neither need nor use the network.
"""

import json
import os
import re
import shlex
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from django.conf import settings

BASE_DIR = settings.BASE_DIR
PIN = re.compile(r"^([a-z0-9][a-z0-9._-]*)==([^ ;\\]+)", re.MULTILINE)


def _pins(lock_file: str) -> set[tuple[str, str]]:
    return set(PIN.findall((BASE_DIR / lock_file).read_text()))


@contextmanager
def osv_database(known: dict[tuple[str, str], dict]):
    """An OSV query endpoint that knows the vulnerabilities in ``known`` and records queries."""
    asked: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            key = (query["package"]["name"], query["version"])
            asked.append(key)
            body = json.dumps({"vulns": [known[key]]} if key in known else {}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1/query", asked
    finally:
        server.shutdown()
        server.server_close()


def _audit(osv_url: str, *lock_files: str, tmp_path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bin/audit", *lock_files],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path), "OSV_URL": osv_url},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_make_audit_checks_both_lock_files():
    result = subprocess.run(
        ["make", "--dry-run", "--old-file=.venv/.dev", "audit"],
        cwd=BASE_DIR,
        env={"PATH": os.environ["PATH"]},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    [command] = [shlex.split(line) for line in result.stdout.splitlines() if "bin/audit" in line]
    assert command[1:] == ["bin/audit", "requirements.lock", "requirements-dev.lock"]


def test_audit_asks_about_every_pinned_release_and_passes_when_none_is_known(tmp_path):
    with osv_database({}) as (osv_url, asked):
        result = _audit(osv_url, "requirements.lock", tmp_path=tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert ("django", "5.2.20") in asked
    assert _pins("requirements.lock") <= set(asked)


def test_audit_fails_naming_a_pinned_release_with_a_known_vulnerability(tmp_path):
    known = {
        ("django", "5.2.20"): {
            "id": "GHSA-test-0000-0000",
            "summary": "A made-up hole in Django",
            "affected": [
                {
                    "package": {"name": "django", "ecosystem": "PyPI"},
                    "ranges": [
                        {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "5.2.21"}]}
                    ],
                }
            ],
        }
    }
    with osv_database(known) as (osv_url, _):
        result = _audit(osv_url, "requirements.lock", "requirements-dev.lock", tmp_path=tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    rows = [line.split()[:4] for line in result.stdout.splitlines() if "GHSA-test" in line]
    # One row for each lock: the dev lock pins Django too.
    assert rows == [["django", "5.2.20", "GHSA-test-0000-0000", "5.2.21"]] * 2


def test_audit_says_it_could_not_check_when_the_database_cannot_be_reached(tmp_path):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{unused.getsockname()[1]}/v1/query"

    result = _audit(closed, "requirements.lock", "requirements-dev.lock", tmp_path=tmp_path)

    assert result.returncode == 2
    assert result.stderr.startswith("make audit: COULD NOT CHECK.")
    assert "Connection refused" in result.stderr
    assert "Nothing was checked: requirements.lock, requirements-dev.lock" in result.stderr
    assert "Run `make audit` where the network allows" in result.stderr
