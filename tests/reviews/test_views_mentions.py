"""GET /i/<id>/mentions/ (suggestions for the picker) and what the comment views say back."""

import json

import pytest
from django.urls import reverse
from django.utils.html import escape

from reviews.models import Comment, Mention, Reply
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, revision_for
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def suggest(initiative):
    return reverse("mention_suggest", args=[initiative.pk])


def test_outsider_gets_404(cast):
    initiative = revision_for(cast).document.initiative
    assert request_as(cast, "outsider", "get", suggest(initiative), {"q": "v"}).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_members_get_a_listbox_of_matching_team_members(cast, role):
    initiative = revision_for(cast).document.initiative
    response = request_as(cast, role, "get", suggest(initiative), {"q": "view"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="listbox"' in html
    assert html.count('role="option"') == 1
    assert f'data-mention-id="{cast.viewer.pk}"' in html
    assert response["Cache-Control"] == "private, no-store"


def test_nobody_matching_says_so_and_never_lists_outsiders(cast):
    initiative = revision_for(cast).document.initiative
    html = request_as(cast, "reviewer", "get", suggest(initiative), {"q": "outs"}).content
    assert "No team member matches “outs”" in html.decode()
    assert b"outsider@example.com" not in html


def person(initiative, user):
    return reverse("mention_person", args=[initiative.pk, user.pk])


def test_outsider_following_a_mention_gets_404(cast):
    initiative = revision_for(cast).document.initiative
    response = request_as(cast, "outsider", "get", person(initiative, cast.viewer))
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_a_mention_leads_members_to_the_persons_row_on_the_team_page(cast, role):
    initiative = revision_for(cast).document.initiative
    response = request_as(cast, role, "get", person(initiative, cast.viewer))
    row = cast.team.memberships.get(user=cast.viewer)
    assert response.status_code == 302
    assert response["Location"] == (
        reverse("team_members", args=[cast.team.slug]) + f"#member-{row.pk}"
    )


def test_a_mention_of_someone_no_longer_in_the_team_leads_to_the_team_page(cast):
    initiative = revision_for(cast).document.initiative
    response = request_as(cast, "viewer", "get", person(initiative, cast.outsider))
    assert response["Location"] == reverse("team_members", args=[cast.team.slug])


def comment_url(revision):
    document = revision.document
    return reverse(
        "iteration_comment_create",
        args=[document.initiative_id, document.pk, revision.number],
    )


def comment_data(body):
    return {"kind": "question", "body": body, "section_key": "summary", "quote": ""}


def test_mentioning_an_outsider_saves_the_comment_and_says_nobody_was_notified(cast, client_for):
    revision = revision_for(cast)
    client = client_for(cast.reviewer)
    body = f"@[Outsider](user:{cast.outsider.pk}) should see this"
    response = client.post(comment_url(revision), comment_data(body), follow=True)
    assert Comment.objects.count() == 1
    assert not Mention.objects.exists()
    assert "@Outsider is not in this team; nobody was notified." in response.content.decode()


def test_with_htmx_the_warning_arrives_out_of_band_in_the_messages(cast):
    revision = revision_for(cast)
    response = request_as(
        cast,
        "reviewer",
        "post",
        comment_url(revision),
        comment_data("@nobody please"),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="messages" hx-swap-oob="beforeend">' in html
    assert "@nobody is not in this team; nobody was notified." in html


def test_a_member_mention_says_nothing_extra(cast):
    revision = revision_for(cast)
    body = f"@[Viewer](user:{cast.viewer.pk}) look"
    response = request_as(
        cast, "reviewer", "post", comment_url(revision), comment_data(body), HTTP_HX_REQUEST="true"
    )
    assert 'hx-swap-oob="beforeend"' not in response.content.decode()
    assert Mention.objects.get().user == cast.viewer


def test_a_reply_mentioning_an_outsider_says_so(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    response = request_as(
        cast,
        "editor",
        "post",
        reverse("reply_create", args=[thread.pk]),
        {"body": "@outsider@example.com knows"},
        HTTP_HX_REQUEST="true",
    )
    assert Reply.objects.count() == 1
    assert "@outsider@example.com is not in this team" in response.content.decode()


def test_the_memo_tells_the_picker_where_to_ask(cast):
    session = discussion_session(cast)
    html = request_as(
        cast, "reviewer", "get", reverse("session_detail", args=[session.pk])
    ).content.decode()
    assert f'data-mentions-url="{suggest(session.initiative)}"' in html


# --- Names chosen from the picker: "@Name" in the box, the id in the hidden field ---------------


def chosen(*people) -> str:
    return json.dumps([{"name": name, "id": user.pk} for name, user in people])


def test_a_name_chosen_in_the_picker_notifies_that_member_and_reads_as_a_link(cast, client_for):
    revision = revision_for(cast)
    data = comment_data("@Vera Viewer, can you check?") | {
        "mentions": chosen(("Vera Viewer", cast.viewer))
    }
    response = client_for(cast.reviewer).post(comment_url(revision), data)
    assert response.status_code == 302
    saved = Comment.objects.get()
    assert saved.body == f"@[Vera Viewer](user:{cast.viewer.pk}), can you check?"
    assert Mention.objects.get().user == cast.viewer
    event = Activity.objects.get(verb=Verb.MENTIONED)
    assert event.payload["mentioned_ids"] == [cast.viewer.pk]
    person = reverse("mention_person", args=[revision.document.initiative_id, cast.viewer.pk])
    assert f'<a class="mention" href="{person}">' in saved.body_html
    assert ">@Vera Viewer</a>, can you check?" in saved.body_html


def test_a_reply_with_a_chosen_name_mentions_by_id(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    response = request_as(
        cast,
        "editor",
        "post",
        reverse("reply_create", args=[thread.pk]),
        {"body": "@Vera Viewer knows", "mentions": chosen(("Vera Viewer", cast.viewer))},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert Reply.objects.get().body == f"@[Vera Viewer](user:{cast.viewer.pk}) knows"
    assert Mention.objects.get().user == cast.viewer
    assert 'class="mention"' in response.content.decode()


def test_a_chosen_name_the_writer_deleted_mentions_nobody(cast, client_for):
    revision = revision_for(cast)
    data = comment_data("Never mind") | {"mentions": chosen(("Vera Viewer", cast.viewer))}
    client_for(cast.reviewer).post(comment_url(revision), data)
    assert Comment.objects.get().body == "Never mind"
    assert not Mention.objects.exists()


def test_a_garbled_picker_field_is_refused_and_the_text_kept(cast):
    revision = revision_for(cast)
    data = comment_data("@Vera Viewer, look") | {"mentions": "[{oops"}
    response = request_as(
        cast, "reviewer", "post", comment_url(revision), data, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "could not be read: choose them again" in html
    assert "@Vera Viewer, look</textarea>" in html
    assert not Comment.objects.exists()


def test_a_refused_comment_keeps_the_chosen_names_for_the_next_try(cast):
    revision = revision_for(cast)
    picked = chosen(("Vera Viewer", cast.viewer))
    data = comment_data("@Vera Viewer") | {"mentions": picked, "kind": "nonsense"}
    response = request_as(
        cast, "reviewer", "post", comment_url(revision), data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    html = " ".join(response.content.decode().split())
    assert f'name="mentions" value="{escape(picked)}"' in html
