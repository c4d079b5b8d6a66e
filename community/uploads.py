"""Safe handling of member-uploaded images (avatars, guide images, forum attachments).

The rules: JPEG, PNG or WebP only; at most UPLOAD_MAX_BYTES (5 MB) and UPLOAD_MAX_PIXELS
(40 megapixels); decoded under Pillow's decompression-bomb guard; re-encoded so that no
metadata (EXIF location, comments, colour profiles with payloads) survives; stored under
a generated name. Every failure is a ValidationError with a sentence a member understands.
"""

from __future__ import annotations

import io
import uuid
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def _human_bytes(size: int) -> str:
    return _("%(size)s MB") % {"size": f"{size / (1024 * 1024):.0f}"}


def process_uploaded_image(
    upload: UploadedFile,
    *,
    max_dimension: int | None = None,
    max_bytes: int | None = None,
    max_pixels: int | None = None,
) -> ContentFile:
    """Validate ``upload`` and return a re-encoded copy with a generated file name."""
    max_bytes = max_bytes or settings.UPLOAD_MAX_BYTES
    max_pixels = max_pixels or settings.UPLOAD_MAX_PIXELS
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("The file is empty. Choose a JPEG, PNG or WebP image."))
    if upload.size > max_bytes:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is %(limit)s. Choose a smaller image.")
            % {"size": f"{upload.size / (1024 * 1024):.1f}", "limit": _human_bytes(max_bytes)}
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice its limit; make that an error.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image: Image.Image = Image.open(upload)
            image_format = image.format
            if image_format not in ALLOWED_FORMATS:
                raise ValidationError(
                    _("That file type is not allowed. Choose a JPEG, PNG or WebP image.")
                )
            width, height = image.size
            if width * height > max_pixels:
                raise ValidationError(
                    _(
                        "The image is %(width)d × %(height)d pixels (%(megapixels)s megapixels); "
                        "the limit is %(limit)s megapixels."
                    )
                    % {
                        "width": width,
                        "height": height,
                        "megapixels": f"{width * height / 1e6:.0f}",
                        "limit": f"{max_pixels / 1e6:.0f}",
                    }
                )
            image.load()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(_("The image is too large to process safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("That file is not an image we can read. Choose a JPEG, PNG or WebP image.")
        ) from None

    image = ImageOps.exif_transpose(image)
    if max_dimension:
        image.thumbnail((max_dimension, max_dimension))

    extension = ALLOWED_FORMATS[image_format]
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    if image_format == "PNG" and image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    if image_format == "WEBP" and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA")

    # Saving without exif=, icc_profile= or pnginfo= writes pixels only: metadata is dropped.
    out = io.BytesIO()
    save_options: dict = {"JPEG": {"quality": 88}, "WEBP": {"quality": 88}, "PNG": {}}[image_format]
    image.save(out, format=image_format, **save_options)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")
