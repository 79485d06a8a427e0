"""Appendix images: POST /i/<i>/d/<d>/images/."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from documents.models import AppendixImage
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(name="chart.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "navy").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def url(document):
    return reverse("image_upload", args=[document.initiative_id, document.pk])


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "outsider", "post", url(document), {"image": png()}).status_code == 404
    assert not AppendixImage.objects.exists()


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = prfaq_for(cast)
    assert request_as(cast, role, "post", url(document), {"image": png()}).status_code == 403
    assert not AppendixImage.objects.exists()


@pytest.mark.parametrize("role", WRITERS)
def test_writers_upload_an_image_and_get_the_markdown_to_paste(cast, role, client_for):
    document = prfaq_for(cast)
    response = client_for(cast.member(role)).post(url(document), {"image": png()}, follow=True)
    image = AppendixImage.objects.get()
    serve = reverse("image_serve", args=[document.initiative_id, image.pk])
    html = response.content.decode()
    assert f"]({serve})" in html
    assert image.content_type == "image/png"


def test_a_file_that_is_not_an_image_is_refused_with_a_message(cast, client_for):
    document = prfaq_for(cast)
    fake = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    response = client_for(cast.editor).post(url(document), {"image": fake}, follow=True)
    assert "not an image" in response.content.decode()
    assert not AppendixImage.objects.exists()
