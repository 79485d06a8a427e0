"""@mentions: the syntax, who counts as mentioned, rendering, and what the services record."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from reviews.mentions import (
    find_mentions,
    linked_text,
    parse_chosen,
    plain_text,
    render_body,
    suggest_members,
    with_tokens,
)
from reviews.models import Mention, ParticipantRole
from reviews.services.comments import comment_edit, reply_create
from reviews.services.common import MAX_BODY_CHARS
from reviews.services.phases import session_start_discussion
from tests.factories import MembershipFactory, UserFactory
from tests.reviews.factories import (
    comment,
    discussion_session,
    reading_session,
    revision_for,
)
from tests.reviews.factories import (
    mention as token,
)
from wbapp.accounts.models import Role
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


# --- Finding the members -------------------------------------------------------------------


def test_a_picker_token_names_a_member_by_id(cast):
    result = find_mentions(f"Ask {token(cast.viewer)} please", team=cast.team, author=cast.owner)
    assert result.members == [cast.viewer]
    assert result.problems() == []


def test_a_full_address_and_a_unique_local_part_name_members(cast):
    result = find_mentions("Cc @viewer@example.com and @editor.", team=cast.team, author=cast.owner)
    assert sorted(m.pk for m in result.members) == sorted([cast.viewer.pk, cast.editor.pk])


def test_an_address_inside_a_word_is_not_a_token(cast):
    result = find_mentions("Mail viewer@example.com", team=cast.team, author=cast.owner)
    assert result.members == [] and result.problems() == []


def test_someone_outside_the_team_is_reported_and_not_mentioned(cast):
    text = f"{token(cast.outsider)} and @outsider@example.com and @nobody"
    result = find_mentions(text, team=cast.team, author=cast.owner)
    assert result.members == []
    assert result.problems() == [
        "@Outsider is not in this team; nobody was notified.",
        "@outsider@example.com is not in this team; nobody was notified.",
        "@nobody is not in this team; nobody was notified.",
    ]


def test_a_local_part_shared_by_two_members_is_ambiguous(cast):
    MembershipFactory(team=cast.team, user=UserFactory(email="viewer@other.example"))
    result = find_mentions("@viewer", team=cast.team, author=cast.owner)
    assert result.members == []
    assert result.problems()[0].startswith("@viewer matches more than one member")


def test_mentioning_oneself_does_nothing(cast):
    result = find_mentions(token(cast.owner), team=cast.team, author=cast.owner)
    assert result.members == [] and result.problems() == []


def test_a_text_without_mentions_costs_no_query(cast, django_assert_num_queries):
    with django_assert_num_queries(0):
        find_mentions("No one here, mail a@b.com", team=cast.team, author=cast.owner)


def test_suggestions_match_names_and_addresses_of_team_members_only(cast):
    assert suggest_members(cast.team, "rev") == [cast.reviewer]
    assert suggest_members(cast.team, "@view") == [cast.viewer]
    assert suggest_members(cast.team, "outs") == []
    assert len(suggest_members(cast.team, "")) == 4


# --- Rendering -------------------------------------------------------------------------------


def test_member_tokens_render_as_mentions_and_others_as_plain_text(cast):
    text = f"Hi {token(cast.viewer)} and {token(cast.outsider)}"
    result = find_mentions(text, team=cast.team, author=cast.owner)
    html = render_body(text, result, initiative_id=7)
    person = reverse("mention_person", args=[7, cast.viewer.pk])
    assert f'<a class="mention" href="{person}">@Viewer</a>' in html
    assert "@Outsider" in html and 'class="mention">@Outsider' not in html
    assert "user:" not in html


def test_a_token_name_cannot_inject_markup(cast):
    text = f"{token(cast.viewer, name='<img src=x onerror=alert(1)>')}"
    result = find_mentions(text, team=cast.team, author=cast.owner)
    html = render_body(text, result)
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_placeholder_characters_typed_by_the_writer_are_dropped(cast):
    html = render_body("a \ue0001\ue001 b", find_mentions("", team=cast.team, author=cast.owner))
    assert "mention" not in html and "\ue000" not in html


# --- The text as people read it, and the picker's choices -----------------------------------


def test_plain_text_shows_every_token_as_the_name_the_writer_saw(cast):
    text = f"Ask {token(cast.viewer, name='Sam Patel')}, cc {token(cast.outsider)} and @maya"
    assert plain_text(text) == "Ask @Sam Patel, cc @Outsider and @maya"
    assert plain_text("") == ""


def test_each_chosen_name_becomes_its_token_and_typed_handles_stay():
    body = "@Sam Patel and @Sam, ask @maya; not @Samantha or sam@Sam Patel.com"
    chosen = [("Sam", 8), ("Sam Patel", 4)]
    assert with_tokens(body, chosen) == (
        "@[Sam Patel](user:4) and @[Sam](user:8), ask @maya; not @Samantha or sam@Sam Patel.com"
    )
    assert with_tokens(body, []) == body


def test_two_people_chosen_under_one_name_take_its_places_in_order():
    body = "@Alex Kim, then @Alex Kim, and @Alex Kim again"
    assert with_tokens(body, [("Alex Kim", 1), ("Alex Kim", 2)]) == (
        "@[Alex Kim](user:1), then @[Alex Kim](user:2), and @[Alex Kim](user:2) again"
    )


def test_names_quoted_in_plain_text_link_to_their_members_and_the_rest_is_escaped():
    html = linked_text(
        "<b>@Sam Patel</b> & @Sam, not @Samantha", (("Sam Patel", "/p/4"), ("Sam", "/p/8"))
    )
    assert html == (
        '&lt;b&gt;<a class="mention" href="/p/4">@Sam Patel</a>&lt;/b&gt; &amp; '
        '<a class="mention" href="/p/8">@Sam</a>, not @Samantha'
    )
    assert linked_text("<i>", ()) == "&lt;i&gt;"


def test_the_pickers_field_is_read_strictly():
    assert parse_chosen("") == []
    assert parse_chosen('[{"name": "Sam [P]", "id": 4}, {"name": "Sam [P]", "id": "4"}]') == [
        ("Sam P", 4)
    ]
    bad_values = [
        "nope",
        "{}",
        '[{"name": "Sam"}]',
        '[{"name": 3, "id": 4}]',
        '[{"name":"S","id":0}]',
    ]
    for bad in bad_values:
        with pytest.raises(ValidationError):
            parse_chosen(bad)


# --- What the services record ----------------------------------------------------------------


def test_an_asynchronous_comment_records_and_announces_its_mentions(cast):
    revision = revision_for(cast)
    made = comment(cast.reviewer, revision, body=f"{token(cast.viewer)} can you check?")
    assert list(Mention.objects.values_list("user_id", "reply_id")) == [(cast.viewer.pk, None)]
    event = Activity.objects.get(verb=Verb.MENTIONED)
    assert event.actor == cast.reviewer
    assert event.payload["mentioned_ids"] == [cast.viewer.pk]
    assert event.payload["comment_id"] == made.pk
    assert event.payload["reply_id"] is None
    assert made.mention_result.members == [cast.viewer]
    assert 'class="mention"' in made.body_html


def test_an_outsider_mention_records_nothing_and_says_so(cast):
    made = comment(cast.reviewer, revision_for(cast), body=f"{token(cast.outsider)} look")
    assert not Mention.objects.exists()
    assert not Activity.objects.filter(verb=Verb.MENTIONED).exists()
    assert made.mention_result.problems() == ["@Outsider is not in this team; nobody was notified."]


def test_a_mention_made_during_the_reading_waits_for_the_reveal(cast):
    session = reading_session(cast, participants=[(cast.reviewer, ParticipantRole.REVIEWER)])
    comment(cast.reviewer, session, body=f"{token(cast.viewer)} see this")
    assert Mention.objects.count() == 1
    assert not Activity.objects.filter(verb=Verb.MENTIONED).exists()
    session_start_discussion(user=cast.editor, session=session)
    event = Activity.objects.get(verb=Verb.MENTIONED)
    assert event.payload["mentioned_ids"] == [cast.viewer.pk]
    assert event.payload["session_id"] == session.pk
    assert event.actor_id == cast.reviewer.pk


def test_a_reply_records_its_mentions_with_the_reply(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    reply = reply_create(user=cast.editor, comment=thread, body=f"{token(cast.owner)}, yours")
    mention = Mention.objects.get()
    assert (mention.user, mention.reply, mention.comment) == (cast.owner, reply, thread)
    event = Activity.objects.get(verb=Verb.MENTIONED)
    assert event.payload["reply_id"] == reply.pk
    assert event.payload["session_id"] == session.pk


def test_an_edit_announces_only_the_people_it_newly_names(cast):
    made = comment(cast.reviewer, revision_for(cast), body=f"{token(cast.viewer)} hi")
    comment_edit(
        user=cast.reviewer,
        comment=made,
        body=f"{token(cast.viewer)} and {token(cast.owner)} hi",
    )
    events = Activity.objects.filter(verb=Verb.MENTIONED).order_by("pk")
    assert [e.payload["mentioned_ids"] for e in events] == [[cast.viewer.pk], [cast.owner.pk]]
    assert Mention.objects.count() == 2


def test_viewers_can_be_mentioned_but_nobody_outside_the_team(cast):
    newcomer = MembershipFactory(team=cast.team, role=Role.VIEWER).user
    made = comment(
        cast.reviewer,
        revision_for(cast),
        body=f"{token(newcomer)} {token(cast.outsider)}",
    )
    assert [m.user_id for m in Mention.objects.all()] == [newcomer.pk]
    assert len(made.mention_result.problems()) == 1


def test_a_chosen_name_counts_toward_the_length_limit_as_the_writer_saw_it(cast):
    revision = revision_for(cast)
    named = f"{token(cast.viewer)} "
    body = named + "x" * (MAX_BODY_CHARS - len(plain_text(named)))
    assert len(body) > MAX_BODY_CHARS
    assert comment(cast.reviewer, revision, body=body).body == body
    with pytest.raises(ValidationError):
        comment(cast.reviewer, revision, body=body + "x")
