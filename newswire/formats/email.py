"""E-mail: a release event as a MIME message (multipart/alternative, text/plain + text/html,
UTF-8), without its recipient; and a digest: many release events in one message.

Pure: the bytes depend only on the release, the event and the site, so the channel renders
them once per release, version and event and prepends To, Message-ID and List-Unsubscribe
for each recipient. Nothing here may depend on who receives the message.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from ..domain.exchanges import ADHOC, ADHOC_HEADER
from ..domain.languages import RTL
from ..domain.models import Release
from ..domain.subscriptions import Event
from ..domain.text import html_to_text
from ..domain.wrapping import columns, wrap_text
from ..intake.html import sanitize
from .feeds import summary_text
from .jsonld import dateline
from .labels import translation_note
from .site import Site

# 7bit: non-ASCII bodies go out as quoted-printable or base64, so no relay needs 8BITMIME.
POLICY = SMTP.clone(cte_type="7bit")
PREFIX = {Event.CORRECTED.value: "Correction: ", Event.WITHDRAWN.value: "Withdrawn: "}
STYLE = "font-family:Helvetica,Arial,sans-serif;line-height:1.5;color:#222;max-width:40em;margin:0 auto;padding:1em"
SMALL = "color:#666;font-size:small"
WIDTH = 76  # columns of the text part (RFC 5322 asks for at most 78); URLs are never broken


@dataclass(frozen=True)
class Item:
    """One release event as a subject, plain text and an HTML fragment."""

    subject: str
    text: str
    html: str
    lang: str
    date: dt.datetime


def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _when(moment: dt.datetime | None) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def subject(release: Release, event: str) -> str:
    # A header must be one line, whatever the headline holds.
    return " ".join((PREFIX.get(event, "") + release.content.headline).split())


def event_time(release: Release, event: str) -> dt.datetime:
    if event == Event.WITHDRAWN.value and release.withdrawn_at:
        return release.withdrawn_at
    if event == Event.CORRECTED.value:
        return release.current.created_at
    return release.published_at or release.updated_at


def _withdrawn(release: Release, url: str) -> tuple[str, str]:
    first = _when(release.published_at)
    text = (f"This press release from {release.issuer.name}, first published {first}, "
            f"was withdrawn {_when(release.withdrawn_at)}. Please do not use it.")
    reason = release.withdraw_reason
    h = f"<p><strong>{_esc(text)}</strong></p>"
    if reason:
        text += f"\nReason: {reason}"
        h += f"<p>Reason: {_esc(reason)}</p>"
    return text + f"\n\n{url}", h + f'<p><a href="{_esc(url)}">{_esc(url)}</a></p>'


def _contacts(release: Release) -> tuple[str, str]:
    texts, items = [], []
    for ct in release.content.contacts:
        who = ", ".join(x for x in (ct.name, ct.role, ct.organisation) if x)
        texts.append("\n".join(x for x in (who, ct.email, ct.phone) if x))
        parts = [f"<strong>{_esc(who)}</strong>"] if who else []
        if ct.email:
            parts.append(f'<a href="mailto:{_esc(ct.email)}">{_esc(ct.email)}</a>')
        if ct.phone:
            parts.append(f'<a href="tel:{_esc(ct.phone.replace(" ", ""))}" dir="ltr">{_esc(ct.phone)}</a>')
        items.append("<li>" + "<br>".join(parts) + "</li>")
    if not texts:
        return "", ""
    return "Media contacts\n" + "\n\n".join(texts), "<h3>Media contacts</h3><ul>" + "".join(items) + "</ul>"


def _media(release: Release, site: Site) -> tuple[list[str], list[str]]:
    """Pictures as linked images (the mail client fetches them; never attachments), documents as links."""
    texts, hs = [], []
    for m in release.pictures:
        shown = m.largest
        line = " — ".join(x for x in (m.caption, m.credit) if x)
        texts.append(f"[{m.alt_text}] {site.media_url(m, shown)}" + (f"\n{line}" if line else ""))
        hs.append(f'<p><a href="{_esc(site.media_url(m, shown))}"><img src="{_esc(site.media_url(m, shown))}" '
                  f'alt="{_esc(m.alt_text)}" width="{min(shown.width, 600)}" style="max-width:100%;height:auto">'
                  f'</a>' + (f'<br><span style="{SMALL}">{_esc(line)}</span>' if line else "") + "</p>")
    for m in release.documents:
        r = m.renditions[-1]
        title = m.caption or m.filename or "PDF"
        texts.append(f"{title} (PDF): {site.media_url(m, r)}")
        hs.append(f'<p><a href="{_esc(site.media_url(m, r))}">{_esc(title)}</a> (PDF)</p>')
    return texts, hs


def _full(release: Release, event: str, site: Site, url: str) -> tuple[str, str]:
    """Everything the release page shows: correction note, dateline, body, boilerplate, contacts."""
    c, lang = release.content, release.language
    texts, hs = [], []
    note = release.current.correction_note
    if event == Event.CORRECTED.value and note:
        texts.append(f"CORRECTION ({_when(release.current.created_at)}): {note}")
        hs.append(f'<p style="border-left:4px solid #c60;padding-left:.75em"><strong>Correction</strong> '
                  f"({_esc(_when(release.current.created_at))}): {_esc(note)}</p>")
    if c.type == ADHOC:  # the legal header first, as on the page
        texts.append(ADHOC_HEADER)
        hs.append(f'<p lang="en" dir="ltr"><strong>{_esc(ADHOC_HEADER)}</strong></p>')
    if release.translation is not None:  # machine translation is labelled as such
        label = translation_note(release.translation)
        texts.append(f"[{label}]")
        hs.append(f'<p lang="en" dir="ltr" style="{SMALL}">{_esc(label)} '
                  f'<a href="{_esc(site.release_url(release, release.original_language))}">Original</a></p>')
    if c.subheadline:
        texts.append(c.subheadline)
        hs.append(f"<p><em>{_esc(c.subheadline)}</em></p>")
    line = dateline(c, lang, (release.published_at or release.created_at).date()) + f" ({site.name}) –"
    texts.append(f"{line} {c.lead}".strip())
    hs.append(f"<p><strong>{_esc(line)}</strong> {_esc(c.lead)}</p>")
    body = sanitize(c.body_html)  # sanitized at intake too: a mail client is a page we do not control
    body_text = html_to_text(body, marked=True, width=WIDTH)
    texts.append(body_text)
    hs.append(body)
    media_text, media_html = _media(release, site)
    texts += media_text
    hs += media_html
    if c.attribution:
        texts.append(c.attribution)
        hs.append(f"<p>{_esc(c.attribution)}</p>")
    if c.boilerplate:
        texts.append(f"About {release.issuer.name}\n{c.boilerplate}")
        hs.append(f"<h3>About {_esc(release.issuer.name)}</h3><p>{_esc(c.boilerplate)}</p>")
    ct_text, ct_html = _contacts(release)
    if ct_text:
        texts.append(ct_text)
        hs.append(ct_html)
    texts.append(f"Read online: {url}")
    hs.append(f'<p><a href="{_esc(url)}">Read online at {_esc(site.name)}</a></p>')
    # The body is laid out already; the legal header stays on one line, to be found as it is.
    kept = (body_text, ADHOC_HEADER)
    return "\n\n".join(t if t in kept else wrap_text(t, WIDTH) for t in texts), "\n".join(hs)


def item(release: Release, event: str, site: Site, *, full: bool = True) -> Item:
    """A release event as one message's content (``full``) or as a digest entry (headline, lead, link)."""
    lang = release.language
    url = site.release_url(release)
    if event == Event.WITHDRAWN.value:
        text, h = _withdrawn(release, url)
        text = wrap_text(text, WIDTH)
    elif full:
        text, h = _full(release, event, site, url)
    else:
        text = f"{release.issuer.name}\n{summary_text(release)}\n{url}"
        h = (f'<p style="{SMALL}">{_esc(release.issuer.name)}</p><p>{_esc(summary_text(release))}</p>'
             f'<p><a href="{_esc(url)}">Read the release</a></p>')
        if event == Event.CORRECTED.value and release.current.correction_note:
            text = f"CORRECTION: {release.current.correction_note}\n{text}"
            h = f"<p><strong>Correction:</strong> {_esc(release.current.correction_note)}</p>" + h
        text = wrap_text(text, WIDTH)
    title = subject(release, event)
    dir_ = "rtl" if lang in RTL else "ltr"
    heading = f'<h2 style="margin-bottom:.25em"><a href="{_esc(url)}" style="color:#123">{_esc(title)}</a></h2>'
    return Item(subject=title, text=f"{wrap_text(title, WIDTH)}\n{'-' * min(columns(title), WIDTH)}\n\n{text}",
                html=f'<div lang="{_esc(lang)}" dir="{dir_}">{heading}\n{h}</div>', lang=lang,
                date=event_time(release, event))


def _document(title: str, lang: str, fragments: Sequence[str], site: Site) -> str:
    dir_ = "rtl" if lang in RTL else "ltr"
    footer = f'<hr><p style="{SMALL}">{_esc(site.disclaimer)}</p>' if site.disclaimer else ""
    return (f'<!doctype html>\n<html lang="{_esc(lang)}" dir="{dir_}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_esc(title)}</title>'
            f'</head>\n<body style="{STYLE}">\n' + "\n<hr>\n".join(fragments) + f"\n{footer}\n</body></html>\n")


def _message(subject_: str, text: str, html_doc: str, mail_from: str, date: dt.datetime) -> bytes:
    msg = EmailMessage(policy=POLICY)
    msg["From"] = mail_from
    msg["Subject"] = subject_
    msg["Date"] = format_datetime(date.astimezone(dt.timezone.utc))
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to the wire
    msg.set_content(text + "\n", charset="utf-8")
    msg.add_alternative(html_doc, subtype="html", charset="utf-8")
    for part in msg.iter_parts():
        del part["MIME-Version"]  # the stdlib stamps it on the added part too; it belongs on top only
    return msg.as_bytes()


def _text_footer(site: Site) -> str:
    return f"\n\n-- \n{wrap_text(site.disclaimer, WIDTH)}\n" if site.disclaimer else "\n"


def render(release: Release, event: str, site: Site, mail_from: str) -> bytes:
    """The message for every recipient of this release event, less To, Message-ID and List-Unsubscribe."""
    return message(parts(release, event, site), mail_from)


def parts(release: Release, event: str, site: Site, track: str | None = None) -> dict:
    """A message's content before MIME encoding. With ``track`` (a URL prefix holding the
    recipient's token), the HTML part's links to the release page go through ``{track}/c`` and it
    ends with a 1×1 image ``{track}/o.gif``: the open and click counts of the report."""
    it = item(release, event, site)
    html = it.html
    if track:
        url = _esc(site.release_url(release))
        # the page's own address stays in view: a reader sees where the tracked link goes
        html = html.replace(f'href="{url}"', f'href="{_esc(track)}/c"') + f'\n<p style="{SMALL}">{url}</p>'
        html += f'\n<img src="{_esc(track)}/o.gif" width="1" height="1" alt="" style="display:block">'
    return {"subject": it.subject, "text": it.text + _text_footer(site),
            "html": _document(it.subject, it.lang, [html], site), "date": it.date.isoformat()}


def message(p: dict, mail_from: str, token: tuple[str, str] | None = None) -> bytes:
    """MIME bytes of ``parts``; ``token`` (placeholder, value) puts one recipient's token in."""
    html = p["html"].replace(*token) if token else p["html"]
    return _message(p["subject"], p["text"], html, mail_from, dt.datetime.fromisoformat(p["date"]))


def digest_subject(items: Sequence[Item], site: Site) -> str:
    if len(items) == 1:
        return f"{site.name} digest: {items[0].subject}"
    return f"{site.name} digest: {len(items)} releases"


def render_digest(items: Sequence[Item], site: Site, mail_from: str, date: dt.datetime) -> bytes:
    """One message listing many release events (digest entries from ``item(..., full=False)``)."""
    title = digest_subject(items, site)
    intro = f"{len(items)} release{'s' if len(items) != 1 else ''} from {site.name}:"
    text = intro + "\n\n" + "\n\n----\n\n".join(i.text for i in items) + _text_footer(site)
    doc = _document(title, items[0].lang, [f"<p>{_esc(intro)}</p>", *(i.html for i in items)], site)
    return _message(title, text, doc, mail_from, date)
