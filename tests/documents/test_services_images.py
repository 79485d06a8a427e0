import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from documents.models import AppendixImage
from documents.services.images import MAX_IMAGE_BYTES, image_upload
from tests.documents.factories import InitiativeFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def initiative(cast):
    return InitiativeFactory(team=cast.team, owner=cast.owner)


def image_file(image_format="PNG", name="chart.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("image_format", "content_type"),
    [("PNG", "image/png"), ("JPEG", "image/jpeg"), ("GIF", "image/gif"), ("WEBP", "image/webp")],
)
def test_editors_upload_png_jpeg_gif_and_webp(cast, initiative, image_format, content_type):
    image = image_upload(
        user=cast.editor, initiative=initiative, file=image_file(image_format, "upload.bin")
    )

    assert image.content_type == content_type
    assert (image.width, image.height) == (40, 30)
    assert image.size > 0
    assert image.original_name == "upload.bin"
    assert image.image.name.startswith(f"appendix/{initiative.pk}/")
    assert image.uploaded_by == cast.editor


def test_the_stored_name_follows_the_real_format_not_the_upload_name(cast, initiative):
    image = image_upload(
        user=cast.editor, initiative=initiative, file=image_file("JPEG", "evil.html")
    )

    assert image.image.name.endswith(".jpg")


def test_a_file_that_only_claims_to_be_an_image_is_refused(cast, initiative):
    fake = SimpleUploadedFile("chart.png", b"<script>alert(1)</script>", "image/png")

    with pytest.raises(ValidationError):
        image_upload(user=cast.editor, initiative=initiative, file=fake)

    assert not AppendixImage.objects.exists()


def test_svg_is_refused(cast, initiative):
    svg = SimpleUploadedFile(
        "chart.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"
    )

    with pytest.raises(ValidationError):
        image_upload(user=cast.editor, initiative=initiative, file=svg)


def test_other_image_formats_are_refused(cast, initiative):
    with pytest.raises(ValidationError, match="PNG, JPEG, GIF or WebP"):
        image_upload(user=cast.editor, initiative=initiative, file=image_file("BMP", "x.bmp"))


def test_images_over_five_megabytes_are_refused(cast, initiative):
    big = SimpleUploadedFile("big.png", b"\0" * (MAX_IMAGE_BYTES + 1), "image/png")

    with pytest.raises(ValidationError, match="5 MB"):
        image_upload(user=cast.editor, initiative=initiative, file=big)


def test_a_truncated_image_is_refused(cast, initiative):
    data = image_file().read()
    broken = SimpleUploadedFile("broken.png", data[: len(data) // 2], "image/png")

    with pytest.raises(ValidationError):
        image_upload(user=cast.editor, initiative=initiative, file=broken)


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_readers_cannot_upload(cast, initiative, role):
    with pytest.raises(PermissionDenied):
        image_upload(user=cast.member(role), initiative=initiative, file=image_file())

    assert not AppendixImage.objects.exists()


def test_decompression_bombs_are_refused(cast, initiative, monkeypatch):
    # Pillow warns past MAX_IMAGE_PIXELS and errors past twice that; both are refused.
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 40 * 30 - 1)

    with pytest.raises(ValidationError):
        image_upload(user=cast.editor, initiative=initiative, file=image_file())
