"""The login session store: Django's cached_db, refusing keys Django never makes.

A session key is 32 lowercase letters and digits. A forged cookie with a NUL in
it would reach PostgreSQL (which refuses NUL in text: a 500 on every page), and
one of 10,000 characters would become a cache key of 10,000; any key that is not
at most 40 letters and digits (the column's length) is simply no session.
"""

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDbSessionStore


class SessionStore(CachedDbSessionStore):
    def _validate_session_key(self, key):
        return (
            super()._validate_session_key(key)
            and len(key) <= 40
            and key.isascii()
            and key.isalnum()
        )
