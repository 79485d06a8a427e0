"""gunicorn's settings for Workback's web app, read from the working directory (/app in the image).

gunicorn names itself in a ``Server`` header on every response, and has no setting to
stop it (its maintainers leave it to the application or a proxy). Workback's responses
carry no ``Server`` header: the one line gunicorn writes for it is left out.
tests/test_security_headers.py checks it against a running gunicorn, so an upgrade that
moves this line fails there.
"""

from gunicorn.http import wsgi

_gunicorn_default_headers = wsgi.Response.default_headers


def _default_headers_without_server(response) -> list[str]:
    return [
        line
        for line in _gunicorn_default_headers(response)
        if not line.lower().startswith("server:")
    ]


wsgi.Response.default_headers = _default_headers_without_server
