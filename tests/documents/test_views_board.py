"""The team board's initiatives (documents/includes/board.html with board_initiatives)."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from documents.models import Initiative, InitiativeStatus
from documents.views import board_initiatives
from documents.views import cards as cards_module
from documents.views.board import (
    RECENT_ACTIVITY,
    activity_rows,
    activity_rows_orm,
    member_rows,
    member_rows_orm,
)
from documents.views.cards import ago, board_rows, board_rows_orm, time_label
from documents.views.initiatives import BOARD_CARDS, LIST_PAGE_SIZE
from reviews.models import AndonPull
from reviews.services.decisions import andon_pull, andon_reset
from tests.documents.factories import InitiativeFactory, iteration_save_changed, prfaq_for
from tests.documents.hostile_inputs import HOSTILE_INPUTS, page_problems
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def board_html(cast, role):
    user = cast.member(role)
    return render_to_string(
        "documents/includes/board.html",
        {"team": cast.team, "board": board_initiatives(cast.team, user)},
    )


def test_initiatives_are_grouped_by_status_with_owner_and_latest_iteration(cast):
    document = prfaq_for(cast, title="Self-serve returns")
    iteration_save_changed(user=cast.editor, document=document)
    iteration_save_changed(user=cast.editor, document=document)
    InitiativeFactory(team=cast.team, owner=cast.owner, title="Gift wrap", status="shelved")
    InitiativeFactory(title="Another team's idea")
    board = board_initiatives(cast.team, cast.viewer)
    by_status = {c["status"]: [i.title for i in c["initiatives"]] for c in board.columns}
    assert by_status == {
        InitiativeStatus.DRAFTING: ["Self-serve returns"],
        InitiativeStatus.IN_REVIEW: [],
        InitiativeStatus.APPROVED: [],
        InitiativeStatus.SHELVED: ["Gift wrap"],
    }
    html = board_html(cast, "viewer")
    assert "iteration 2" in html and "Editor" in html and "no iteration yet" in html
    assert reverse("initiative_detail", args=[document.initiative_id]) in html


@pytest.mark.parametrize(
    ("role", "shown"), [("viewer", False), ("reviewer", False), ("editor", True), ("owner", True)]
)
def test_the_new_initiative_button_shows_for_editors_and_owners(cast, role, shown):
    html = board_html(cast, role)
    assert (reverse("initiative_create", args=[cast.team.slug]) in html) is shown


def test_an_empty_board_says_what_an_initiative_is(cast):
    assert "No initiatives yet." in board_html(cast, "viewer")


def test_hostile_titles_are_escaped(cast):
    for _, text in HOSTILE_INPUTS:
        InitiativeFactory(team=cast.team, owner=cast.editor, title=text.replace("\x00", ""))
    assert Initiative.objects.count() == len(HOSTILE_INPUTS)
    assert page_problems(board_html(cast, "viewer")) == []


def test_each_status_shows_its_most_recent_initiatives_and_links_to_all(cast):
    for n in range(BOARD_CARDS + 2):
        InitiativeFactory(team=cast.team, owner=cast.editor, title=f"Idea {n:02d}")
    InitiativeFactory(team=cast.team, owner=cast.owner, title="Gift wrap", status="shelved")
    board = board_initiatives(cast.team, cast.viewer)
    drafting = board.columns[0]

    assert board.total == BOARD_CARDS + 3
    assert (drafting["count"], drafting["more"]) == (BOARD_CARDS + 2, 2)
    # The most recently active first (factories create them in order).
    assert [i.title for i in drafting["initiatives"]] == [
        f"Idea {n:02d}" for n in range(BOARD_CARDS + 1, 1, -1)
    ]
    html = board_html(cast, "viewer")
    all_drafting = reverse("team_initiatives", args=[cast.team.slug, "drafting"])
    assert all_drafting in html and f"All {BOARD_CARDS + 2} drafting" in html
    # A status that fits on the board has no such link.
    assert reverse("team_initiatives", args=[cast.team.slug, "shelved"]) not in html


def test_a_status_list_pages_through_every_initiative(cast, client_for):
    for n in range(LIST_PAGE_SIZE + 1):
        InitiativeFactory(team=cast.team, owner=cast.editor, title=f"Idea {n:02d}")
    url = reverse("team_initiatives", args=[cast.team.slug, "drafting"])
    client = client_for(cast.viewer)

    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()

    assert first.count('class="board-card"') == LIST_PAGE_SIZE
    assert "Idea 50" in first and "Idea 00" not in first
    assert "?page=2" in first
    assert second.count('class="board-card"') == 1 and "Idea 00" in second


def test_a_status_list_is_for_members_only(cast, client_for):
    url = reverse("team_initiatives", args=[cast.team.slug, "approved"])

    assert client_for(cast.outsider).get(url).status_code == 404
    assert client_for(cast.viewer).get(url).status_code == 200
    unknown = reverse("team_initiatives", args=[cast.team.slug, "abandoned"])
    assert client_for(cast.viewer).get(unknown).status_code == 404


def test_the_written_board_query_gives_what_the_orm_gives(cast):
    # Two statuses past the cards' limit, one with a few, iterations on some, another team.
    for n in range(BOARD_CARDS + 3):
        InitiativeFactory(team=cast.team, owner=cast.editor, title=f"Idea {n}")
    for n in range(3):
        InitiativeFactory(team=cast.team, owner=cast.owner, title=f"Kept {n}", status="shelved")
    for n in range(BOARD_CARDS + 1):
        InitiativeFactory(team=cast.team, owner=cast.viewer, title=f"Go {n}", status="approved")
    for _ in range(2):
        document = prfaq_for(cast, title="With iterations")
        iteration_save_changed(user=cast.editor, document=document)
        iteration_save_changed(user=cast.editor, document=document)
    InitiativeFactory(title="Another team's idea")
    # Cords: one pulled, one pulled and reset then pulled again, one reset, another team's.
    pulled = Initiative.objects.get(team=cast.team, title="Go 1")
    again, reset = Initiative.objects.filter(team=cast.team, title="With iterations")
    andon_pull(user=cast.reviewer, initiative=pulled, reason="Legal has not seen it")
    for initiative in (again, reset):
        andon_pull(user=cast.owner, initiative=initiative, reason="First stop")
        andon_reset(user=cast.owner, initiative=initiative, resolution="Fixed")
    andon_pull(user=cast.owner, initiative=again, reason="Second stop")
    elsewhere = InitiativeFactory(title="Another team's stop")
    AndonPull.objects.create(initiative=elsewhere, pulled_by=elsewhere.owner, reason="Theirs")

    written = board_rows(cast.team.pk, BOARD_CARDS)

    assert written == list(board_rows_orm(cast.team.pk, BOARD_CARDS))
    assert len(written) == 2 * BOARD_CARDS + 3
    assert {row["latest_iteration_number"] for row in written} == {None, 2}
    assert [row["title"] for row in written][:2] == ["With iterations"] * 2
    assert sorted(row["andon_reason"] or "" for row in written)[-2:] == [
        "Legal has not seen it",
        "Second stop",
    ]


def test_the_board_query_runs_through_the_orm_off_postgresql(cast, monkeypatch):
    InitiativeFactory(team=cast.team, owner=cast.editor, title="Idea")
    monkeypatch.setattr(cards_module.connection, "vendor", "sqlite")

    rows = board_rows(cast.team.pk, BOARD_CARDS)

    assert [(row["title"], row["status_count"]) for row in rows] == [("Idea", 1)]


def test_a_stopped_initiative_says_who_pulled_the_cord_and_why_on_its_card(cast, client_for):
    stopped = InitiativeFactory(team=cast.team, owner=cast.editor, title="Self-serve returns")
    InitiativeFactory(team=cast.team, owner=cast.editor, title="Gift wrap")
    andon_pull(user=cast.reviewer, initiative=stopped, reason="Legal has not seen the refund")
    urls = (
        reverse("team_board", args=[cast.team.slug]),
        reverse("team_initiatives", args=[cast.team.slug, "drafting"]),
    )

    for url in urls:
        content = client_for(cast.viewer).get(url).content.decode()
        assert content.count("board-card--stopped") == 1
        card = content.split("board-card--stopped", 1)[1].split("</li>", 1)[0]
        assert "Self-serve returns" in card and "Stopped" in card
        assert "Andon cord pulled by <strong>Reviewer</strong>" in card
        assert "Legal has not seen the refund" in card

    andon_reset(user=cast.editor, initiative=stopped, resolution="Legal signed off")
    for url in urls:
        content = client_for(cast.viewer).get(url).content.decode()
        assert "board-card--stopped" not in content
        assert "Legal has not seen the refund" not in content


def test_an_outsider_sees_no_stopped_card(cast, client_for):
    stopped = InitiativeFactory(team=cast.team, owner=cast.editor, title="Self-serve returns")
    andon_pull(user=cast.reviewer, initiative=stopped, reason="Legal has not seen the refund")

    for url in (
        reverse("team_board", args=[cast.team.slug]),
        reverse("team_initiatives", args=[cast.team.slug, "drafting"]),
    ):
        response = client_for(cast.outsider).get(url)
        assert response.status_code == 404
        assert b"Legal has not seen" not in response.content


def test_a_cards_times_are_in_the_viewers_time_zone(cast, client_for):
    InitiativeFactory(
        team=cast.team,
        owner=cast.editor,
        title="Idea",
        updated_at=datetime(2025, 1, 15, 12, 0, tzinfo=UTC),
    )
    cast.viewer.time_zone = "Asia/Tokyo"
    cast.viewer.save(update_fields=["time_zone"])

    for url in (
        reverse("team_board", args=[cast.team.slug]),
        reverse("team_initiatives", args=[cast.team.slug, "drafting"]),
    ):
        content = client_for(cast.viewer).get(url).content.decode()
        assert 'datetime="2025-01-15T21:00:00+09:00" title="15 Jan 2025, 21:00"' in content


def test_a_card_touched_under_a_minute_ago_says_just_now(cast, client_for):
    InitiativeFactory(team=cast.team, owner=cast.editor, title="Fresh idea")

    for url in (
        reverse("team_board", args=[cast.team.slug]),
        reverse("team_initiatives", args=[cast.team.slug, "drafting"]),
    ):
        content = client_for(cast.viewer).get(url).content.decode()
        assert ">just now</time>" in content
        assert "0\xa0minutes" not in content and "0 minutes" not in content


@pytest.mark.parametrize(
    ("seconds", "said"),
    [
        (0, "just now"),
        (59, "just now"),
        (60, "1\xa0minute ago"),
        (3 * 60 * 60 + 5, "3\xa0hours ago"),
    ],
)
def test_ago_says_just_now_under_a_minute(seconds, said):
    now = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)

    assert ago(now - timedelta(seconds=seconds), now) == said


@pytest.mark.parametrize("zone", ["UTC", "Asia/Tokyo", "America/St_Johns"])
def test_time_label_prints_what_the_date_filter_prints(zone):
    moments = [
        datetime(2025, month, 1 + month * 2, month, month * 4, tzinfo=UTC) for month in range(1, 13)
    ]
    moments.append(datetime(2024, 2, 29, 0, 0, tzinfo=UTC))
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for moment in moments:
            assert time_label(moment) == (
                date_filter(timezone.localtime(moment), "c"),
                date_filter(timezone.localtime(moment), "j M Y, H:i"),
            )


def test_the_written_activity_query_gives_what_the_orm_gives(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title="Gift wrap")
    same_time = datetime(2025, 1, 15, 12, 0, tzinfo=UTC)
    for n in range(RECENT_ACTIVITY + 3):
        Activity.objects.create(
            team=cast.team,
            actor=None if n % 3 == 0 else cast.member(["owner", "editor", "viewer"][n % 3]),
            initiative=initiative if n % 2 else None,
            verb=Verb.INITIATIVE_UPDATED if n % 2 else Verb.MEMBER_JOINED,
            payload={"role": "viewer", "n": n, "nested": {"list": [1, "two"]}},
            created_at=same_time if n < 5 else datetime(2025, 1, n, 9, 0, tzinfo=UTC),
        )
    other = cast.outsider.memberships.get().team
    Activity.objects.create(team=other, actor=cast.outsider, verb=Verb.TEAM_CREATED)

    written = activity_rows(cast.team.pk)

    assert written == list(activity_rows_orm(cast.team.pk))
    assert len(written) == RECENT_ACTIVITY
    assert {row["actor__email"] is None for row in written} == {True, False}
    assert {row["initiative__title"] for row in written} == {"Gift wrap", None}


def test_the_written_member_query_gives_what_the_orm_gives(cast):
    cast.editor.display_name = ""
    cast.editor.save(update_fields=["display_name"])

    written = member_rows(cast.team.pk)

    assert sorted(written) == sorted(member_rows_orm(cast.team.pk))
    assert len(written) == 4
    assert ("editor", "", cast.editor.email) in written
