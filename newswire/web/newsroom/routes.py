"""The public site's routers, in the order they are matched."""


def routers():
    from . import feeds, live, pages, unsubscribe, websub

    return [feeds.router, live.router, websub.router, unsubscribe.router, pages.router]
