"""The demo initiative's words: a PR/FAQ for "Self-serve returns" in three iterations.

Kept apart from the command so that the command reads as a list of steps.
"""

INITIATIVE = {
    "title": "Self-serve returns",
    "customer": "Shoppers who bought something that did not fit, broke, or was not what they "
    "expected — most often on a phone, often the evening it arrived.",
    "problem": "Starting a return means an e-mail to support and a two-day wait for a label. "
    "One in five returners gives up and **keeps an item they do not want**.",
    "benefit": "A return started in under a minute, with the refund promised up front.",
    "evidence": "Support tickets (41% are return requests), twelve customer interviews, "
    "and the drop-off in the current return form.",
    "experience": "From the order page: *Return this*, pick a reason, choose drop-off or "
    "pick-up, get a QR code. The refund lands when the parcel is scanned.",
}

# Section bodies by key, one dict per iteration; keys missing from a later
# iteration keep the earlier text.
ITERATIONS = [
    (
        "First full draft",
        {
            "headline": "Returns now take one minute, not two days",
            "subheading": "Shoppers start a return from their order page and get their refund "
            "as soon as the parcel is scanned.",
            "summary": "SEATTLE — Today we launch self-serve returns. Customers open an order, "
            "tap *Return this*, and leave with a QR code for any drop-off point.",
            "problem": "Returning an item means writing to support and waiting two days for a "
            "label. One customer in five gives up and keeps something they do not want.",
            "solution": "Every order page gets a *Return this* button. Customers pick a reason, "
            "choose drop-off or pick-up, and get a QR code at once. Refunds are issued when "
            "the carrier scans the parcel.",
            "leader_quote": "“Customers should never have to ask permission to return "
            "something,” said Maya Chen, head of post-purchase.",
            "getting_started": "Open any order from the last 30 days and choose *Return this*.",
            "customer_quote": "“I returned the shoes on the bus home,” said a customer in "
            "the pilot.",
            "call_to_action": "Try it on your next order.",
        },
        [
            (
                "external",
                "Which orders can I return?",
                "Anything delivered in the last 30 days, except gift cards and perishables.",
            ),
            (
                "external",
                "When do I get my money back?",
                "As soon as the carrier scans your parcel — usually the same day you drop it off.",
            ),
            (
                "internal",
                "What does this cost?",
                "Label costs stay the same; support saves about 1,800 tickets a week.",
            ),
        ],
    ),
    (
        "Sharper customer quote; refund timing",
        {
            "customer_quote": "“I started the return on the bus home and dropped the parcel "
            "off the next morning. The refund was there by lunch,” said Dana, a pilot customer.",
            "solution": "Every order page gets a *Return this* button. Customers pick a reason, "
            "choose drop-off or pick-up, and get a QR code at once. Refunds are issued when "
            "the carrier scans the parcel, for orders under $200; larger refunds follow "
            "inspection within two days.",
        },
        [
            (
                "internal",
                "How do we limit return fraud?",
                "Refund-on-scan applies below $200 "
                "and to accounts with a good return history; the rest wait for inspection.",
            ),
        ],
    ),
    (
        "Fraud risk sized",
        {
            "call_to_action": "Try it on your next order — and tell us what would make "
            "returning even easier.",
        },
        [],
    ),
]

REVIEW = {
    "title": "First review of self-serve returns",
    "comments": [
        (
            "lee@example.com",
            "customer_quote",
            "said a customer in the pilot",
            "suggestion",
            "A named customer and a concrete moment would make this land.",
        ),
        (
            "raj@example.com",
            "solution",
            "Refunds are issued when the carrier scans the parcel",
            "concern",
            "What stops someone scanning an empty box? We need the fraud risk sized.",
        ),
        (
            "lee@example.com",
            "headline",
            "one minute",
            "question",
            "Is one minute measured from the order page or from the app start?",
        ),
    ],
    "decision": "Iterate: sharpen the customer quote; size the return-fraud risk.",
    # In the discussion the author answers two threads (the reviewers have the next
    # word) and the decision's two actions get owners: something waits on each person.
    "replies": [
        (
            "What stops someone scanning an empty box? We need the fraud risk sized.",
            "The carrier weighs each parcel at the scan; I will ask for their mismatch rate.",
        ),
        (
            "Is one minute measured from the order page or from the app start?",
            "From the order page. Does that read clearly enough?",
        ),
    ],
    "action_items": [
        ("raj@example.com", "Size the return-fraud risk"),
        ("maya@example.com", "Sharpen the customer quote"),
    ],
}

UPCOMING_REVIEW_TITLE = "Second review of self-serve returns"
