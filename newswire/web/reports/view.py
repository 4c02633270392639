"""A report as the pages and the PDF show it: the service's numbers, the charts drawn from them,
and the links to the delivery lists behind each count."""

from __future__ import annotations

from urllib.parse import urlencode

import weasyprint
from PIL import ImageFile
from markupsafe import Markup

from ...formats import charts
from ..i18n import gettext as _

# WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process when imported; the wire
# refuses truncated uploads (intake/media.py), so the process-wide default is put back.
ImageFile.LOAD_TRUNCATED_IMAGES = False

CHANNEL_NAMES = ("Webhook", "E-mail", "WebSub")


def names(lang: str) -> dict[str, str]:
    return {"webhook": str(_("Webhook", lang)), "email": str(_("E-mail", lang)), "websub": str(_("WebSub", lang))}


def rows_link(release_id: str, query: dict) -> str:
    """The delivery list a count is the length of."""
    q = {k: str(v).lower() if isinstance(v, bool) else v for k, v in query.items()}
    return f"/api/v1/releases/{release_id}/deliveries" + (f"?{urlencode(q)}" if q else "")


def timeline_chart(report: dict, lang: str) -> Markup:
    return Markup(charts.timeline(report["timeline"], title=str(_("Cumulative deliveries", lang)),
                                  x_label=str(_("Seconds after the release second", lang)),
                                  y_label=str(_("Deliveries", lang)), names=names(lang)))


def status_chart(report: dict, lang: str) -> Markup:
    labels = names(lang)
    buckets = ("delivered", "failed", "pending", "dead")
    words = {"delivered": _("Delivered", lang), "failed": _("Failed, retrying", lang),
             "pending": _("Pending", lang), "dead": _("Dead", lang)}
    series = {str(words[b]): [report["channels"][ch][b]["count"] for ch in labels] for b in buckets}
    return Markup(charts.bars(list(labels.values()), series, title=str(_("Deliveries by channel", lang)),
                              y_label=str(_("Deliveries", lang))))


def months_chart(dashboard: dict, lang: str) -> Markup:
    months = [m["month"] for m in dashboard["months"]]
    labels = names(lang)
    series = {labels[ch]: [m["channels"].get(ch, {}).get("delivered", 0) for m in dashboard["months"]]
              for ch in labels}
    return Markup(charts.bars(months, series, title=str(_("Delivered by month and channel", lang)),
                              y_label=str(_("Deliveries", lang))))


def context(report: dict, lang: str) -> dict:
    rid = report["release"]["id"]
    return {"report": report, "timeline_svg": timeline_chart(report, lang), "status_svg": status_chart(report, lang),
            "channel_names": names(lang), "rows_link": lambda q: rows_link(rid, q)}


def pdf(html: str, base_url: str) -> bytes:
    return weasyprint.HTML(string=html, base_url=base_url).write_pdf()
