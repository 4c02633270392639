"""A release's pictures and documents, and each issuer's logo: upload, list, order, replace, delete,
and the public files behind their unguessable URLs.

Every refusal (type, size, decompression bomb, SVG, a name that lies, missing alt text) happens
before anything is written. The renditions are written to a staging folder first and moved to
``{media_dir}/{token}/`` only once the row has committed, so a refused or failed request leaves
neither row nor file, nor a staging folder; a crashed process's are removed at start-up
(``clean_staging``, also ``newswire media clean``) once they are an hour old. A release's files are
embargoed with it: ``open_public`` asks the listings service, on every request, whether the release
is public now. Alt texts and captions are translated with the release, so a change to an approved
or scheduled release's media re-queues its translations, as an edit of its text does.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..domain import lifecycle
from ..domain.errors import Collector, Conflict, Forbidden, Gone, NotFound
from ..domain.events import IssuerChanged
from ..domain.limits import LIMITS
from ..domain.models import Media, Principal, Release, Rendition, Status
from ..intake import media as intake
from ..storage import audit
from ..storage import issuers as issuer_store
from ..storage import media as store
from ..storage import releases as release_store
from . import access
from .listings import Listings
from .translations import TranslationService
from .unit import Clock, Database

FILE_TYPES = tuple(intake.TYPES)  # the media types a stored file may have (what the API documents)
TEXTS = ("alt_text", "caption", "credit")
STAGING = ".staging-"  # a folder being written, moved to its token's name once the row commits
STALE = dt.timedelta(hours=1)  # a staging folder this old is litter: start-up and `media clean` remove it


@dataclass(frozen=True)
class Upload:
    """What a request sent: the file's bytes and name, and its texts."""

    data: bytes
    filename: str = ""
    alt_text: str = ""
    caption: str = ""
    credit: str = ""

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name).strip() for name in TEXTS}


@dataclass(frozen=True)
class PublicFile:
    path: Path
    mime: str
    filename: str  # the name to save it under


class MediaService:
    def __init__(self, db: Database, clock: Clock, listings: Listings, translations: TranslationService,
                 media_dir: Path):
        self.db, self.clock, self.listings, self.dir = db, clock, listings, Path(media_dir)
        self.translations = translations

    # --- a release's media ------------------------------------------------------------------------

    def list(self, principal: Principal, release_id: int) -> tuple[Media, ...]:
        return self.listing(principal, release_id)[0]

    def listing(self, principal: Principal, release_id: int) -> tuple[tuple[Media, ...], bool]:
        """The release's media, and whether the caller manages the release (only then are the items'
        internal numbers its to see: they count pictures across the wire, embargoed ones too)."""
        with self.db.read() as conn:
            release = access.load_visible(conn, principal, release_id, self.clock())
        return release.media, access.may_manage(principal, release)

    def upload(self, principal: Principal, release_id: int, upload: Upload) -> Media:
        self._may_change(principal, release_id)  # before any decoding: nobody else makes the wire work
        processed, texts = self._check(upload, alt_required=True)
        with self._staging(processed) as (token, staged):
            with self.db.transaction() as conn:
                release = self._changeable(conn, principal, release_id)
                if len(release.media) >= LIMITS["media.per_release"].items:
                    raise Conflict(f"The release already has {len(release.media)} pictures and documents, the "
                                   "most one release carries (media.per_release); delete one first.")
                media_id = store.insert_media(
                    conn, token=token, issuer_id=release.issuer.id, release_id=release_id,
                    kind=_kind(processed), mime=processed.mime, filename=upload.filename.strip(),
                    renditions=_renditions(processed), texts=texts, by=principal.name, now=self.clock())
                audit.record(conn, actor=principal, action="media.upload", now=self.clock(), release_id=release_id,
                             detail={"media_id": media_id, "mime": processed.mime})
                self._retranslate(conn, release)
                item = store.get(conn, media_id)[0]
            staged.rename(self.dir / token)
        return item

    def replace(self, principal: Principal, release_id: int, media_id: int, upload: Upload) -> Media:
        """A new file (and texts) in the item's place and position, under a new URL."""
        self._may_change(principal, release_id)  # before any decoding
        processed, texts = self._check(upload, alt_required=True)
        with self._staging(processed) as (token, staged):
            with self.db.transaction() as conn:
                release = self._changeable(conn, principal, release_id)
                old = self._item(conn, release_id, media_id)
                store.replace_file(conn, media_id, token=token, kind=_kind(processed), mime=processed.mime,
                                   filename=upload.filename.strip(), renditions=_renditions(processed), texts=texts)
                audit.record(conn, actor=principal, action="media.replace", now=self.clock(), release_id=release_id,
                             detail={"media_id": media_id, "mime": processed.mime})
                self._retranslate(conn, release)
                item = store.get(conn, media_id)[0]
            staged.rename(self.dir / token)
        shutil.rmtree(self.dir / old.token, ignore_errors=True)
        return item

    def order(self, principal: Principal, release_id: int, ids: list[int]) -> tuple[Media, ...]:
        with self.db.transaction() as conn:
            release = self._changeable(conn, principal, release_id)
            have = [m.id for m in release.media]
            if sorted(ids) != sorted(have):
                c = Collector()
                c.add("ids", f"list every media id of the release once, in the new order: {have}")
                c.raise_if_any()
            store.set_positions(conn, release_id, ids)
            audit.record(conn, actor=principal, action="media.order", now=self.clock(), release_id=release_id,
                         detail={"ids": ids})
            self._retranslate(conn, release)
            return store.for_release(conn, release_id)

    def delete(self, principal: Principal, release_id: int, media_id: int) -> None:
        with self.db.transaction() as conn:
            release = self._changeable(conn, principal, release_id)
            old = self._item(conn, release_id, media_id)
            store.remove(conn, media_id)
            audit.record(conn, actor=principal, action="media.delete", now=self.clock(), release_id=release_id,
                         detail={"media_id": media_id})
            self._retranslate(conn, release)
        shutil.rmtree(self.dir / old.token, ignore_errors=True)

    # --- an issuer's logo -------------------------------------------------------------------------

    def logo(self, slug: str) -> Media | None:
        with self.db.read() as conn:
            issuer = issuer_store.get_issuer_by_slug(conn, slug)
            return store.logo(conn, issuer.id) if issuer else None

    def set_logo(self, principal: Principal, slug: str, upload: Upload) -> Media:
        access.require_signed_in(principal)
        with self.db.read() as conn:  # who may, before any decoding (and again below, in the transaction)
            issuer = issuer_store.get_issuer_by_slug(conn, slug)
        if issuer is None:
            raise NotFound(f"There is no issuer '{slug}'.")
        if not (principal.is_staff or principal.issuer_id == issuer.id):
            raise Forbidden("Only the issuer itself, editors and admins may change its logo.")
        processed, texts = self._check(upload, alt_required=False)
        if processed.kind != "image":
            c = Collector()
            c.add("file", "a logo is a picture (JPEG, PNG, WebP or GIF), not a document")
            c.raise_if_any()
        with self._staging(processed) as (token, staged):
            with self.db.transaction() as conn:
                issuer = issuer_store.get_issuer_by_slug(conn, slug)
                if issuer is None:
                    raise NotFound(f"There is no issuer '{slug}'.")
                if not (principal.is_staff or principal.issuer_id == issuer.id):
                    raise Forbidden("Only the issuer itself, editors and admins may change its logo.")
                old = store.logo(conn, issuer.id)
                if old is not None:
                    store.remove(conn, old.id)
                texts["alt_text"] = texts["alt_text"] or issuer.name
                media_id = store.insert_media(
                    conn, token=token, issuer_id=issuer.id, release_id=None, kind="logo", mime=processed.mime,
                    filename=upload.filename.strip(), renditions=_renditions(processed), texts=texts,
                    by=principal.name, now=self.clock())
                audit.record(conn, actor=principal, action="issuer.logo", now=self.clock(), issuer_id=issuer.id,
                             detail={"media_id": media_id})
                self.db.emit(conn, IssuerChanged(issuer.id))  # every page that shows the logo
                item = store.get(conn, media_id)[0]
            staged.rename(self.dir / token)
        if old is not None:
            shutil.rmtree(self.dir / old.token, ignore_errors=True)
        return item

    # --- the public files -------------------------------------------------------------------------

    def open_public(self, token: str, filename: str) -> PublicFile:
        """The file behind ``/media/{token}/{filename}``: NotFound until its release is public (and for
        anything that is not a rendition), Gone once the release is withdrawn."""
        missing = NotFound("There is no such file.")
        if len(token) != 32 or not all(ch in "0123456789abcdef" for ch in token):
            raise missing
        with self.db.read() as conn:
            found = store.by_token(conn, token)
        if found is None:
            raise missing
        item, release_id = found
        rendition = next((r for r in item.renditions if r.filename == filename), None)
        if rendition is None:
            raise missing
        if release_id is not None:
            release = self.listings.public(release_id)
            if release is None:
                raise missing
            if release.is_withdrawn_notice(self.clock()):
                raise Gone("The release this file belonged to was withdrawn.")
        return PublicFile(self.dir / token / rendition.filename, rendition.mime, _download_name(item, rendition))

    def open_for(self, principal: Principal, release_id: int, media_id: int, filename: str) -> PublicFile:
        """A rendition as ``principal`` may see it (the issuer's and the desk's preview before publication)."""
        with self.db.read() as conn:
            access.load_visible(conn, principal, release_id, self.clock())
            found = store.get(conn, media_id)
        if found is None or found[1] != release_id:
            raise NotFound(f"Release {release_id} has no media item {media_id}.")
        item = found[0]
        rendition = next((r for r in item.renditions if r.filename == filename), None)
        if rendition is None:
            names = ", ".join(r.filename for r in item.renditions)
            raise NotFound(f"Media item {media_id} has no rendition '{filename}'; it has {names}.")
        return PublicFile(self.dir / item.token / rendition.filename, rendition.mime, _download_name(item, rendition))

    # --- the parts --------------------------------------------------------------------------------

    def _check(self, upload: Upload, *, alt_required: bool) -> tuple[intake.Processed, dict[str, str]]:
        """Texts and file, judged before anything is written; every text problem at once."""
        texts = upload.texts()
        c = Collector()
        intake.check_texts(c, {**texts, "filename": upload.filename})
        if not upload.data:
            c.add("file", "send the picture or document as the multipart field 'file'")
        c.raise_if_any()
        processed = intake.process(upload.data, upload.filename)
        if processed.kind == "image" and alt_required and not texts["alt_text"]:
            c.add("alt_text", "a picture needs alt text: describe what it shows for readers who cannot see it")
            c.raise_if_any()
        return processed, texts

    @contextmanager
    def _staging(self, processed: intake.Processed) -> Iterator[tuple[str, Path]]:
        """A new token and its staging folder with the renditions written; whatever happens in the
        block (a refusal, a failed commit, a failed move), no staging folder outlives it."""
        token = secrets.token_hex(16)
        staged = self.dir / f"{STAGING}{token}"
        try:
            staged.mkdir(parents=True)
            for f in processed.files:
                (staged / f"{f.name}.{f.ext}").write_bytes(f.data)
            yield token, staged
        finally:
            shutil.rmtree(staged, ignore_errors=True)  # (gone already once moved into place)

    def clean_staging(self, older_than: dt.timedelta = STALE) -> list[str]:
        """Remove staging folders older than ``older_than`` (a crashed process's leftovers; a
        younger one may be an upload under way in another process); the names removed."""
        cutoff = (self.clock() - older_than).timestamp()
        removed = []
        for folder in sorted(self.dir.glob(STAGING + "*")) if self.dir.is_dir() else []:
            try:
                if folder.is_dir() and folder.stat().st_mtime < cutoff:
                    shutil.rmtree(folder)
                    removed.append(folder.name)
            except FileNotFoundError:  # another process cleaned it first
                continue
        return removed

    def _may_change(self, principal: Principal, release_id: int) -> None:
        """The same refusals as ``_changeable`` (which runs again when the row is written): a short look
        before the upload's decoding work, so a caller who may not change the release costs nothing."""
        with self.db.transaction() as conn:
            self._changeable(conn, principal, release_id)

    def _changeable(self, conn, principal: Principal, release_id: int) -> Release:
        release_store.lock(conn, release_id)
        release = access.load_visible(conn, principal, release_id, self.clock())
        access.require_own_or_staff(principal, release, "change the media of")
        if release.status not in lifecycle.ALLOWED_FROM["edit"]:
            raise Conflict(f"The release is {release.status.value}: its pictures and documents can change only "
                           "before it is published. Withdraw it, or issue a new release.",
                           release_status=release.status.value)
        if not principal.is_staff and release.status not in (Status.DRAFT, Status.SUBMITTED):
            raise Forbidden(f"Issuers may change the media only of draft or submitted releases (as the text); this "
                            f"one is {release.status.value}. Ask an editor.")
        return release

    def _retranslate(self, conn, release: Release) -> None:
        """A release already on its way (approved, scheduled) is translated again with its new media
        texts (``ReleaseService.edit`` does the same for its text); the memory spares what is unchanged."""
        if release.status in (Status.APPROVED, Status.SCHEDULED):
            self.translations.queue(conn, release, self.clock(), again=True)

    def _item(self, conn, release_id: int, media_id: int) -> Media:
        found = store.get(conn, media_id)
        if found is None or found[1] != release_id:
            raise NotFound(f"Release {release_id} has no media item {media_id}.")
        return found[0]


def _kind(processed: intake.Processed) -> str:
    return "document" if processed.kind == "document" else "picture"


def _renditions(processed: intake.Processed) -> tuple[Rendition, ...]:
    return tuple(Rendition(f.name, f.mime, f.ext, len(f.data), f.width, f.height) for f in processed.files)


def _download_name(item: Media, rendition: Rendition) -> str:
    stem = Path(item.filename).stem if item.filename else item.kind
    safe = "".join(ch for ch in stem if ch.isalnum() or ch in "-_.")[:80] or item.kind
    return f"{safe}-{rendition.name}.{rendition.ext}" if rendition.name != "original" else f"{safe}.{rendition.ext}"
