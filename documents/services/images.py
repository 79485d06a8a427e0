"""Appendix images: checked to be what they claim before they are stored."""

import warnings

from django.core.exceptions import ValidationError
from django.db import transaction
from PIL import Image, UnidentifiedImageError

from ..lookups import EDIT
from ..models import AppendixImage, Initiative
from .common import require

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}


def image_upload(*, user, initiative: Initiative, file) -> AppendixImage:
    """Store an appendix image after checking it is what it claims to be."""
    require(user, EDIT, initiative)
    if file.size > MAX_IMAGE_BYTES:
        raise ValidationError("Images can be at most 5 MB.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns about very large pixel counts; refuse them outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ValidationError("This file is not an image Workback can show.") from exc
    if image_format not in IMAGE_FORMATS:
        raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.")
    content_type, extension = IMAGE_FORMATS[image_format]
    file.seek(0)
    with transaction.atomic():
        appendix_image = AppendixImage(
            initiative=initiative,
            uploaded_by=user,
            original_name=(getattr(file, "name", "") or "")[:200],
            content_type=content_type,
            size=file.size,
            width=width,
            height=height,
        )
        appendix_image.image.save(f"image.{extension}", file, save=False)
        appendix_image.save()
    return appendix_image
