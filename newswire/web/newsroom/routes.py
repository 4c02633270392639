"""The public site's routers, in the order they are matched."""


def routers():
    from . import feeds, pages

    return [feeds.router, pages.router]
