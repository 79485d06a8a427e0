from functools import cached_property

from .inbox import unread_count


class UnreadBadge:
    """The header's unread count, counted only if a template reads ``.count``.

    htmx fragments and responses without the header never touch it, so they pay
    no query; a page that shows the header pays one. A view that has counted
    already passes ``UnreadBadge(user, count=n)`` in its context instead.
    """

    def __init__(self, user, count: int | None = None):
        self._user = user
        if count is not None:
            self.__dict__["count"] = count

    @cached_property
    def count(self) -> int:
        return unread_count(self._user)

    @property
    def etag(self) -> str:
        return unread_etag(self._user, self.count)


def unread_etag(user, count: int) -> str:
    # The fragment shows nothing but the count, so the count is the whole version.
    return f'"unread-{user.pk}-{count}"'


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_badge": UnreadBadge(user)}
