"""The public site's routers, in the order they are matched."""

from . import feeds, live, pages, unsubscribe, websub


def routers():
    return [feeds.router, live.router, websub.router, unsubscribe.router, pages.router]
