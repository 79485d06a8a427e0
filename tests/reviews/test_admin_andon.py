"""The admin shows the Andon cord's pulls and the mentions, and changes neither."""

import pytest
from django.urls import reverse

from reviews.models import AndonPull
from reviews.services.decisions import andon_pull
from tests.documents.factories import InitiativeFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_superusers_see_pulls_and_cannot_add_or_change_them(cast, client):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    pull = andon_pull(user=cast.reviewer, initiative=initiative, reason="Legal first")
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    listing = client.get(reverse("admin:reviews_andonpull_changelist"))
    assert listing.status_code == 200
    assert initiative.title in listing.content.decode()
    assert client.get(reverse("admin:reviews_andonpull_add")).status_code == 403
    change = client.post(
        reverse("admin:reviews_andonpull_change", args=[pull.pk]), {"reason": "Nothing"}
    )
    assert change.status_code == 403
    assert AndonPull.objects.get(pk=pull.pk).reason == "Legal first"
    assert client.get(reverse("admin:reviews_mention_changelist")).status_code == 200
