"""The public site's routers, in the order they are matched."""

from . import browse, feeds, live, live_desk, media, pages, unsubscribe, websub


def routers():
    return [feeds.router, live.router, media.router, websub.router, unsubscribe.router, live_desk.router, browse.router,
            pages.router]
