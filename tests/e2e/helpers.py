"""Moves the browser journeys share."""

import re

from django.conf import settings
from django.test import Client
from playwright.sync_api import Page


def sign_in(context, user, live_server) -> None:
    """Give the browser context a session for ``user`` (the sign-in form has its own test)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def link_in_mail(outbox, *, to: str, path: str) -> str:
    """The one link to ``path…`` in the e-mails sent to ``to``."""
    bodies = [message.body for message in outbox if to in message.to]
    links = re.findall(rf"https?://\S+{re.escape(path)}\S+", "\n".join(bodies))
    assert len(links) == 1, f"Expected one {path} link in the mail to {to}, found {links}"
    return links[0]


def select_passage(page: Page, section_key: str, quote: str) -> None:
    """Select ``quote`` in a section, as a reader would, through the DOM selection API."""
    page.evaluate(
        """([key, quote]) => {
            const root = document.querySelector(`[data-anchor-root][data-section-key="${key}"]`);
            const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
            let node;
            while ((node = walker.nextNode())) {
                const at = node.data.indexOf(quote);
                if (at !== -1) {
                    const range = document.createRange();
                    range.setStart(node, at);
                    range.setEnd(node, at + quote.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("passage not found: " + quote);
        }""",
        [section_key, quote],
    )
