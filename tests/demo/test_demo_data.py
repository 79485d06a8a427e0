from datetime import UTC, datetime, time, timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from documents.models import Initiative, Revision
from reviews.models import Comment, ReviewSession, SessionPhase
from wbapp.accounts.models import Membership, Team, User
from wbapp.activity.models import Activity
from wbapp.notifications import digests
from wbapp.notifications.fanout import fan_out_pending

pytestmark = pytest.mark.django_db


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            User,
            EmailAddress,
            Team,
            Membership,
            Activity,
            Initiative,
            Revision,
            ReviewSession,
            Comment,
        )
    }


def run(capsys) -> str:
    call_command("demo_data", "--allow-without-debug")
    return capsys.readouterr().out


def test_demo_data_creates_the_team_with_two_reviewers_and_a_viewer(capsys, client):
    output = run(capsys)

    team = Team.objects.get(slug="returns")
    assert team.name == "Returns & Refunds"
    roles = dict(team.memberships.values_list("user__email", "role"))
    assert roles == {
        "maya@example.com": "owner",
        "raj@example.com": "editor",
        "lee@example.com": "reviewer",
        "priya@example.com": "reviewer",
        "ana@example.com": "viewer",
    }
    for user in User.objects.all():
        assert user.display_name
        assert user.time_zone != "UTC"
        assert EmailAddress.objects.get(user=user).verified
    assert "/t/returns/" in output
    assert "maya@example.com" in output
    assert "workback-demo" in output
    signed_in = client.post(
        "/accounts/login/", {"login": "raj@example.com", "password": "workback-demo"}
    )
    assert signed_in.status_code == 302


def test_running_it_again_adds_nothing_and_keeps_changed_passwords(capsys):
    run(capsys)
    before = counts()
    maya = User.objects.get(email="maya@example.com")
    maya.set_password("changed-by-maya")
    maya.save()

    run(capsys)

    assert counts() == before
    maya.refresh_from_db()
    assert maya.check_password("changed-by-maya")


def test_it_refuses_to_run_without_debug_unless_told(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="published password"):
        call_command("demo_data")

    assert not User.objects.exists()


def test_demo_data_includes_a_reviewed_prfaq_with_several_iterations(capsys):
    output = run(capsys)

    initiative = Initiative.objects.get(title="Self-serve returns")
    document = initiative.documents.get()
    numbers = list(document.revisions.order_by("number").values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    session = ReviewSession.objects.get(initiative=initiative, phase=SessionPhase.CLOSED)
    assert session.phase == SessionPhase.CLOSED
    assert session.outcome == "iterate"
    assert session.revision.number == 1
    assert Comment.objects.filter(session=session).count() == 3
    assert f"/i/{initiative.pk}/" in output


def test_the_output_lists_every_demo_login_with_its_password(capsys, client):
    output = run(capsys)

    people = User.objects.all()
    assert people.count() == 5
    for user in people:
        [line] = [line for line in output.splitlines() if user.email in line]
        assert "workback-demo" in line
        assert user.display_name in line
        signed_in = client.post(
            "/accounts/login/", {"login": user.email, "password": "workback-demo"}
        )
        assert signed_in.status_code == 302, user.email
        client.logout()


def test_a_session_with_two_reviewers_and_an_observer_is_ready_to_start(capsys, client):
    output = run(capsys)

    session = ReviewSession.objects.get(phase=SessionPhase.SCHEDULED)
    latest = session.document.revisions.order_by("-number").first()
    assert session.revision == latest
    roles = dict(session.participants.values_list("user__email", "role"))
    assert roles == {
        "lee@example.com": "reviewer",
        "priya@example.com": "reviewer",
        "ana@example.com": "observer",
    }
    assert f"/s/{session.pk}/" in output
    # Its facilitator can start the reading straight away.
    client.force_login(session.facilitator)
    started = client.post(f"/s/{session.pk}/start/")
    assert started.status_code in (200, 302)
    session.refresh_from_db()
    assert session.phase == SessionPhase.READING


def test_the_demos_first_digests_say_what_waits_on_each_person(capsys):
    run(capsys)
    fan_out_pending()
    # Tomorrow at 17:00 UTC it is past 08:00 the same day in every demo person's zone
    # (Los Angeles, Kolkata, London, Berlin and São Paulo); each has news to read.
    tomorrow = timezone.now().date() + timedelta(days=1)
    now = datetime.combine(tomorrow, time(17), tzinfo=UTC)

    assert digests.send_due_digests(now=now) == 5

    bodies = {message.to[0]: message.body for message in mail.outbox}
    waiting = {email: body[body.index("WAITING ON YOU") :] for email, body in bodies.items()}
    assert "Sharpen the customer quote" in waiting["maya@example.com"]
    assert "Size the return-fraud risk" in waiting["raj@example.com"]
    assert "Maya Chen replied" in waiting["raj@example.com"]
    assert "Maya Chen replied" in waiting["lee@example.com"]
