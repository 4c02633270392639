"""The account e-mails (reset, invitation), written by a template in the recipient's language.

The template is rendered as the pages are (every value escaped), then unescaped into plain
text: the message is text/plain, so there is no markup for a value to inject."""

from __future__ import annotations

import html

from fastapi import Request

from ...domain.models import Notice


def composer(request: Request, template: str, **values):
    """A (link, language) → Notice function for UserService."""
    env = request.app.state.templates.env

    def compose(link: str, lang: str) -> Notice:
        module = env.get_template(template).make_module({"lang": lang, "link": link, **values})
        return Notice(subject=html.unescape(str(module.subject)).strip(), text=html.unescape(str(module)).strip() + "\n")

    return compose
