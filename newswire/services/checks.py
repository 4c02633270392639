"""Pre-checks: the desk's safety net, run on submit, on approval and on demand.

The text's own checks are pure (``intake/checks.py``); here they meet what needs the wire: the
links asked for through the SSRF guard (``distribution/linkcheck.py``), near-duplicates of earlier
releases (MinHash signatures and their LSH bands in ``storage/checks.py``), and the declared
language against the text (the translation rules' ``check_source_language``). An error holds
approval, and a direct publish of a release that was not approved, until an editor overrides it
with a note (``gate``, for ``ReleaseService.approve`` and ``publish``); a warning never holds anything.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from datasketch import MinHash
from sqlalchemy.engine import Connection

from ..distribution.linkcheck import LinkChecker, LinkResult
from ..domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..domain.models import Principal, Release
from ..intake import checks as text_checks
from ..intake.checks import ERROR, WARNING, Finding
from ..storage import audit
from ..storage import checks as store
from ..storage import releases as releases_store
from . import access
from .translation_rules import check_source_language
from .unit import Clock, Database

PERMUTATIONS, BANDS = 64, 16  # 16 bands of 4 rows: candidates from a Jaccard similarity of about 0.5
SIMILAR = 0.8  # estimated Jaccard similarity from which a release counts as a near-duplicate
SEED = 9  # every signature must use the same permutations
_WORD = re.compile(r"\w+")
_UNSPACED = {"ja", "zh-Hans", "zh-Hant", "th"}


@dataclass(frozen=True)
class Report:
    release_id: int
    version: int
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    def as_dict(self) -> dict:
        return {"release_id": self.release_id, "version": self.version,
                "counts": {"error": len(self.errors), "warning": len(self.findings) - len(self.errors)},
                "results": [f.as_dict() for f in self.findings]}


def signature(release: Release) -> MinHash:
    """MinHash over the text's shingles: 3 words, or 4 characters in a language written without spaces."""
    c = release.content
    text = " ".join(t for _, t in text_checks.text_fields(c) if _ != "boilerplate").lower()
    if c.language in _UNSPACED:
        chars = re.sub(r"\s+", "", text)
        shingles = {chars[i:i + 4] for i in range(max(1, len(chars) - 3))}
    else:
        words = _WORD.findall(text)
        shingles = {" ".join(words[i:i + 3]) for i in range(max(1, len(words) - 2))}
    m = MinHash(num_perm=PERMUTATIONS, seed=SEED)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m


def buckets(values: list[int]) -> list[str]:
    rows = PERMUTATIONS // BANDS
    return [hashlib.blake2b(repr(values[i * rows:(i + 1) * rows]).encode(), digest_size=16).hexdigest()
            for i in range(BANDS)]


class CheckService:
    def __init__(self, db: Database, clock: Clock, links: LinkChecker):
        self.db, self.clock, self.links = db, clock, links

    def on_demand(self, principal: Principal, release_id: int) -> dict:
        """The checks of the release as it stands, for its issuer and the desk (404 to others)."""
        with self.db.read() as conn:
            release = self.visible(conn, principal, release_id)
        found = self.links_of(release)
        with self.db.read() as conn:
            report = self.run(conn, release, found)
            last = store.results(conn, release_id)
        out = {**report.as_dict(), "release_id": release.public_id}  # (the API names releases by public id)
        out["last_recorded"] = {**last, "checked_at": last["checked_at"].isoformat()} if last else None
        return out

    def visible(self, conn: Connection, principal: Principal, release_id: int) -> Release:
        release = releases_store.load(conn, release_id)
        if release is None or not principal.can_see_unpublished(release.issuer.id):
            raise NotFound(f"There is no release with id {release_id} whose checks you may read.")
        return access.ensure_visible(principal, release, self.clock(), release_id)

    def links_of(self, release: Release) -> dict[str, LinkResult]:
        """Ask for the release's links (network: call outside a write transaction)."""
        return self.links.check(text_checks.links(release.content))

    def run(self, conn: Connection, release: Release, found: dict[str, LinkResult]) -> Report:
        c, now = release.content, self.clock()
        findings = [*text_checks.text_findings(c, release.embargo_until or now), *self._language(release),
                    *self._links(release, found), *self._duplicates(conn, release, now)]
        return Report(release.id, release.current.number, tuple(findings))

    def gate(self, conn: Connection, principal: Principal, release: Release, found: dict[str, LinkResult],
             note: str, verb: str) -> Report:
        """Run the checks; errors hold ``verb`` (409, the errors in ``checks``) unless ``note`` says
        why they may stand (an editor's or admin's word only), which the audit log keeps as
        ``release.checks_override``."""
        report = self.run(conn, release, found)
        if report.errors and not note:
            listed = "; ".join(f"{f.check}: {f.message}" for f in report.errors)
            raise Conflict(f"The pre-checks found {len(report.errors)} error(s) ({listed}); fix them, or {verb} "
                           'with {"override": "why they may stand"} (audited).',
                           checks=[f.as_dict() for f in report.errors])
        if report.errors and not principal.is_staff:  # a self-publishing issuer fixes its errors
            raise Forbidden("Only editors and admins may override the pre-checks' errors; fix them, or submit "
                            "the release for the desk.", checks=[f.as_dict() for f in report.errors])
        if report.errors:
            audit.record(conn, actor=principal, action="release.checks_override", release_id=release.id,
                         issuer_id=release.issuer.id, now=self.clock(),
                         detail={"note": note, "version": report.version, "action": verb,
                                 "errors": [f.as_dict() for f in report.errors]})
        return report

    def record(self, conn: Connection, release: Release, report: Report) -> None:
        """Keep the results and the release's signature (so later releases find it as a duplicate)."""
        store.save_results(conn, release.id, report.version, [f.as_dict() for f in report.findings], self.clock())
        self.remember(conn, release)

    def remember(self, conn: Connection, release: Release) -> None:
        values = [int(x) for x in signature(release).hashvalues]
        store.save_signature(conn, release.id, release.current.number, values, buckets(values))

    def _language(self, release: Release) -> list[Finding]:
        try:
            check_source_language(release.content)
        except InvalidInput as exc:
            return [Finding("language", ERROR, exc.errors[0].message if exc.errors else exc.detail, "language")]
        return []

    def _links(self, release: Release, found: dict[str, LinkResult]) -> list[Finding]:
        out = []
        for url in text_checks.links(release.content):
            result = found.get(url)
            if result is not None and not result.ok:
                out.append(Finding("link", WARNING, f"the link {url} does not resolve ({result.detail}); "
                                   "fix or remove it", "body", quote=url))
        return out

    def _duplicates(self, conn: Connection, release: Release, now: dt.datetime) -> list[Finding]:
        mine = signature(release)
        values = [int(x) for x in mine.hashvalues]
        out = []
        for other_id, other in sorted(store.candidates(conn, release.id, buckets(values)).items()):
            theirs = MinHash(num_perm=PERMUTATIONS, seed=SEED, hashvalues=other, scheme=mine.scheme)
            similarity = mine.jaccard(theirs)
            if similarity < SIMILAR:
                continue
            earlier = releases_store.load(conn, other_id)
            # the issuer sees only its own releases and public ones named
            if earlier is None or not (earlier.issuer.id == release.issuer.id or earlier.is_public(now)):
                continue
            out.append(Finding("duplicate", WARNING,
                               f"the text is a near-duplicate ({similarity:.0%} alike) of release {other_id} "
                               f"'{earlier.content.headline}'; send a correction of that one instead, or "
                               "make this one say what is new", "body", quote=earlier.content.headline))
        return out[:5]
