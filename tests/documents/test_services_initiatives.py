import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.models import Initiative, InitiativeStatus
from documents.services.initiatives import (
    initiative_create,
    initiative_update,
)
from tests.documents.factories import InitiativeFactory, iteration_save_changed, prfaq_for
from wbapp.activity.models import Activity, Verb


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_editors_and_owners_create_initiatives_they_own_and_follow(cast, role):
    user = cast.member(role)

    initiative = initiative_create(
        user=user, team=cast.team, title="  Self-serve returns ", customer="Online shoppers"
    )

    assert initiative.title == "Self-serve returns"
    assert initiative.owner == user
    assert initiative.status == InitiativeStatus.DRAFTING
    assert initiative.customer == "Online shoppers"
    assert list(initiative.followers.all()) == [user]


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_others_cannot_create_initiatives(cast, role):
    with pytest.raises(PermissionDenied):
        initiative_create(user=cast.member(role), team=cast.team, title="Nope")

    assert not Initiative.objects.exists()


def test_creating_an_initiative_is_recorded_as_activity(cast):
    initiative = initiative_create(user=cast.editor, team=cast.team, title="Returns")

    activity = Activity.objects.get(verb=Verb.INITIATIVE_CREATED)
    assert activity.initiative == initiative
    assert activity.team == cast.team
    assert activity.actor == cast.editor
    assert activity.payload == {"title": "Returns"}


def test_an_initiative_needs_a_title(cast):
    with pytest.raises(ValidationError):
        initiative_create(user=cast.editor, team=cast.team, title="   ")


def test_unknown_answers_are_a_programming_error(cast):
    with pytest.raises(TypeError):
        initiative_create(user=cast.editor, team=cast.team, title="x", owner="me")


def test_update_saves_only_what_changed_and_records_it(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.owner, problem="Slow refunds")
    before = initiative.updated_at

    initiative_update(
        user=cast.editor,
        initiative=initiative,
        title=initiative.title,
        problem="Refunds take 9 days",
    )

    initiative.refresh_from_db()
    assert initiative.problem == "Refunds take 9 days"
    assert initiative.updated_at > before
    activity = Activity.objects.get(verb=Verb.INITIATIVE_UPDATED)
    assert activity.payload["fields"] == ["problem"]
    assert activity.initiative == initiative


def test_update_without_changes_writes_nothing(cast, django_assert_num_queries):
    initiative = InitiativeFactory(team=cast.team, owner=cast.owner, benefit="Speed")
    cast.editor.has_perm("documents.edit_initiative", initiative)  # warm the role cache

    with django_assert_num_queries(0):
        initiative_update(user=cast.editor, initiative=initiative, benefit="Speed")

    assert not Activity.objects.filter(verb=Verb.INITIATIVE_UPDATED).exists()


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_readers_cannot_update_initiatives(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.owner, title="Before")

    with pytest.raises(PermissionDenied):
        initiative_update(user=cast.member(role), initiative=initiative, title="After")

    initiative.refresh_from_db()
    assert initiative.title == "Before"


def test_update_refuses_an_empty_title(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.owner)

    with pytest.raises(ValidationError):
        initiative_update(user=cast.owner, initiative=initiative, title=" ")


def test_visible_to_lists_only_initiatives_of_my_teams(cast):
    mine = InitiativeFactory(team=cast.team, owner=cast.owner)
    InitiativeFactory()

    assert list(Initiative.objects.visible_to(cast.viewer)) == [mine]
    assert list(Initiative.objects.visible_to(cast.outsider)) == []


def test_answers_come_in_question_order_with_rendered_html(cast):
    initiative = InitiativeFactory(
        team=cast.team, owner=cast.owner, customer="*Shoppers*", experience="<script>x</script>"
    )

    answers = initiative.answers()

    assert [a.field for a in answers] == [
        "customer",
        "problem",
        "benefit",
        "evidence",
        "experience",
    ]
    assert answers[0].html == "<p><em>Shoppers</em></p>"
    assert "<script" not in answers[4].html
    assert initiative.answered_count == 2


def test_board_annotation_names_the_latest_iteration(cast, django_assert_num_queries):
    document = prfaq_for(cast)
    iteration_save_changed(user=cast.editor, document=document, note="one")
    iteration_save_changed(user=cast.editor, document=document, note="two")
    empty = InitiativeFactory(team=cast.team, owner=cast.owner)

    with django_assert_num_queries(1):
        rows = {i.pk: i for i in Initiative.objects.with_latest_iteration()}

    assert rows[document.initiative_id].latest_iteration_number == 2
    assert rows[document.initiative_id].latest_iteration_document_id == document.pk
    assert rows[empty.pk].latest_iteration_number is None
