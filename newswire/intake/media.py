"""Uploaded pictures and documents: what a file is (from its bytes, never its name), whether the
wire takes it, and the renditions made once at upload. Pure: bytes in, bytes out; no database,
no files.

Pictures (JPEG, PNG, WebP, GIF) are decoded with Pillow and re-encoded, so no EXIF, GPS, XMP or
comment block survives (the colour profile does); a JPEG is first turned upright by its EXIF
orientation. A decompression bomb is refused from its header, before any pixel is decoded. PDF
documents are kept as sent. SVG is refused: it is a program as much as a picture.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

import filetype
from PIL import Image, ImageOps, UnidentifiedImageError

from ..domain.errors import Collector, FieldError, InvalidInput, TooLarge
from ..domain.limits import LIMITS, check_text

# sniffed MIME type -> (kind, file extension, the extensions a name may have, Pillow's format)
TYPES = {
    "image/jpeg": ("image", "jpg", {"jpg", "jpeg", "jpe", "jfif"}, "JPEG"),
    "image/png": ("image", "png", {"png"}, "PNG"),
    "image/webp": ("image", "webp", {"webp"}, "WEBP"),
    "image/gif": ("image", "gif", {"gif"}, "GIF"),
    "application/pdf": ("document", "pdf", {"pdf"}, ""),
}
KNOWN_EXTENSIONS = {ext for _, _, names, _ in TYPES.values() for ext in names} | {"svg", "svgz"}
ACCEPTED = "JPEG, PNG, WebP or GIF pictures, PDF documents"
SIZES = {"thumbnail": 400, "large": 1200}  # the longest side of each scaled rendition, in pixels


@dataclass(frozen=True)
class File:
    """One rendition's bytes."""

    name: str
    mime: str
    ext: str
    data: bytes
    width: int = 0
    height: int = 0


@dataclass(frozen=True)
class Processed:
    kind: str  # image | document
    mime: str
    files: tuple[File, ...]  # smallest first, the original last


def sniff(data: bytes, filename: str) -> str:
    """The file's MIME type from its bytes; InvalidInput if the wire does not take it or its name
    says it is something else (a PNG named .pdf)."""
    head = data[:2048].lstrip().lower()
    ext = PurePosixPath(filename or "").suffix.lower().lstrip(".")
    if ext in ("svg", "svgz") or head.startswith(b"<?xml") or b"<svg" in head:
        raise _refuse("SVG files are not accepted: they can carry scripts. Export the picture as PNG "
                      "(or WebP) and upload that.")
    kind = filetype.guess(data)
    mime = kind.mime if kind else ""
    if mime not in TYPES:
        found = f"a {kind.extension.upper()} file" if kind else "not a file type the wire recognises"
        raise _refuse(f"The file is {found}; the wire takes {ACCEPTED}. Convert it to one of those.")
    if ext in KNOWN_EXTENSIONS and ext not in TYPES[mime][2]:
        raise _refuse(f"The file is named .{ext} but its content is {TYPES[mime][3] or 'PDF'} "
                      f"({mime}). Upload the file you meant, or name it .{TYPES[mime][1]}.")
    return mime


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(f"file: {message}", errors=[FieldError("file", message)])


def check_size(data: bytes, mime: str) -> None:
    key = "media.document" if TYPES[mime][0] == "document" else "media.image"
    limit = LIMITS[key].chars
    if len(data) > limit:
        message = (f"the file is {len(data):,} bytes; {key} allows at most {limit:,} bytes (docs/api.md). "
                   "Send a smaller or more compressed file.")
        raise TooLarge(f"file: {message}", errors=[FieldError("file", message)], limit=limit)


def check_texts(c: Collector, fields: dict[str, str]) -> None:
    """Alt text, caption, credit and the file's name against their limits (and the one text rule)."""
    for name in ("alt_text", "caption", "credit", "filename"):
        check_text(c, f"media.{name}", fields.get(name, ""), name)


def process(data: bytes, filename: str) -> Processed:
    """The renditions of an uploaded file; InvalidInput (or TooLarge) saying what to do if refused."""
    mime = sniff(data, filename)
    check_size(data, mime)
    kind, ext, _, fmt = TYPES[mime]
    if kind == "document":
        if b"%%EOF" not in data[-2048:]:
            raise _refuse("The PDF is incomplete (no end-of-file marker); upload the whole file again.")
        return Processed(kind, mime, (File("original", mime, ext, data),))
    image = _open(data, fmt)
    try:
        files = [_scaled(image, name, size, mime, ext, fmt) for name, size in SIZES.items()
                 if max(image.size) > size]
        files.append(_encode(image, "original", mime, ext, fmt))
    except (OSError, ValueError) as e:  # a mode or variant Pillow cannot write back
        raise _refuse(f"The picture cannot be re-encoded ({e}); export it as an 8-bit RGB JPEG or PNG and "
                      "upload that.") from None
    return Processed(kind, mime, tuple(files))


def _open(data: bytes, fmt: str) -> Image.Image:
    pixels = LIMITS["media.image_pixels"].chars
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[fmt])
            width, height = image.size
            if width * height > pixels:
                raise Image.DecompressionBombError("too many pixels")
            # an animation is decoded and re-encoded frame by frame: all its frames count
            if width * height * getattr(image, "n_frames", 1) > pixels:
                raise _refuse(f"The animation has {image.n_frames} frames of {width}×{height} pixels; the wire "
                              f"decodes at most {pixels:,} pixels in all (media.image_pixels, docs/api.md). "
                              "Shorten it, or scale it down.")
            image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        size = f"is {image.size[0]}×{image.size[1]} pixels" if "image" in locals() else "has far more pixels"
        raise _refuse(f"The picture {size}; the wire decodes at most {pixels:,} pixels (media.image_pixels, "
                      "docs/api.md), a larger one could be a decompression bomb. Scale it down and upload it "
                      "again.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise _refuse("The picture cannot be decoded (truncated or damaged); export it again and upload "
                      "the new file.") from None
    if fmt == "JPEG":
        image = ImageOps.exif_transpose(image)
    return image


KEPT = ("icc_profile", "transparency")  # what a picture needs to look right; everything else goes


def _clean(image: Image.Image) -> Image.Image:
    """A copy with pixels, colour profile and transparency only: no EXIF, GPS, XMP or comments."""
    out = image.copy()
    out.info = {k: image.info[k] for k in KEPT if k in image.info}
    return out


def _encode(image: Image.Image, name: str, mime: str, ext: str, fmt: str) -> File:
    out, buf = _clean(image), io.BytesIO()
    options: dict = {"icc_profile": out.info["icc_profile"]} if "icc_profile" in out.info else {}
    if fmt == "JPEG":
        out = out.convert("RGB") if out.mode not in ("RGB", "L", "CMYK") else out
        options.update(quality=88, optimize=True)
    elif fmt == "WEBP":
        options.update(quality=85)
    elif fmt == "GIF" and getattr(image, "n_frames", 1) > 1 and name == "original":
        out = image  # every frame; the comment and XMP blocks dropped
        for key in ("comment", "xmp", "extension"):
            out.info.pop(key, None)
        options.update(save_all=True)
    out.save(buf, fmt, **options)
    return File(name, mime, ext, buf.getvalue(), out.width, out.height)


def _scaled(image: Image.Image, name: str, size: int, mime: str, ext: str, fmt: str) -> File:
    small = image.copy()
    small.thumbnail((size, size), Image.Resampling.LANCZOS if small.mode not in ("P", "1") else Image.Resampling.NEAREST)
    small.info = dict(image.info)
    return _encode(small, name, mime, ext, fmt)
