"""The login session store: Django's cached_db, refusing keys Django never makes.

A session key is 32 lowercase letters and digits. A forged cookie with a NUL in
it would reach PostgreSQL (which refuses NUL in text: a 500 on every page); any
key that is not letters and digits is simply no session.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore


class SessionStore(CachedDbSessionStore):
    def _validate_session_key(self, key):
        return super()._validate_session_key(key) and key.isascii() and key.isalnum()
