"""What a browser would run in a piece of HTML: script-ish elements, event handlers, javascript:
and data: URLs, inline styles (CSS expressions). Shared by the property and XSS tests."""

from __future__ import annotations

from html.parser import HTMLParser

ACTIVE = ("script", "iframe", "object", "embed", "svg", "math", "style", "form", "input", "template", "base",
          "link", "meta", "button", "video", "audio", "frame", "frameset", "applet", "isindex")


class Executable(HTMLParser):
    def __init__(self, allowed: tuple[str, ...] = ()):
        super().__init__(convert_charrefs=True)
        self.allowed, self.found = allowed, []

    def handle_starttag(self, tag, attrs):
        if tag in ACTIVE and tag not in self.allowed:
            self.found.append(tag)
        for name, value in attrs:
            v = "".join((value or "").split()).lower()
            if name.startswith("on") or name in ("srcdoc", "formaction") or (name == "style" and "style" not in self.allowed) \
                    or v.startswith(("javascript:", "data:", "vbscript:")):
                self.found.append(f"{tag}[{name}={value}]")


def executable(html: str, allowed: tuple[str, ...] = ()) -> list[str]:
    """Every active element or attribute in ``html`` (``allowed``: element names a document may have)."""
    p = Executable(allowed)
    p.feed(html)
    p.close()
    return p.found
