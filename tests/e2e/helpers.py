"""Moves the browser journeys share."""

from playwright.sync_api import Page


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
