"""Serving appendix images to members only: GET /i/<i>/images/<id>."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from documents.services.images import image_upload
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def uploaded(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    buffer = io.BytesIO()
    Image.new("RGB", (2, 2), "red").save(buffer, "JPEG")
    file = SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")
    image = image_upload(user=cast.editor, initiative=initiative, file=file)
    return image, buffer.getvalue()


def url(image):
    return reverse("image_serve", args=[image.initiative_id, image.pk])


def test_outsider_gets_404(cast):
    image, _ = uploaded(cast)
    assert request_as(cast, "outsider", "get", url(image)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(cast, client):
    image, _ = uploaded(cast)
    assert client.get(url(image)).status_code == 302


def test_the_image_must_belong_to_the_initiative_in_the_address(cast):
    image, _ = uploaded(cast)
    other = InitiativeFactory(team=cast.team, owner=cast.editor)
    wrong = reverse("image_serve", args=[other.pk, image.pk])
    assert request_as(cast, "owner", "get", wrong).status_code == 404


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_members_get_the_image_with_its_verified_type(cast, role):
    image, content = uploaded(cast)
    response = request_as(cast, role, "get", url(image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == content
