"""The public site's routers, in the order they are matched."""

from . import feeds, live, live_desk, media, pages, unsubscribe, websub


def routers():
    return [feeds.router, live.router, media.router, websub.router, unsubscribe.router, live_desk.router,
            pages.router]
