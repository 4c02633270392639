"""The issuer portal (/portal) and the desk's list of issuers' requests (/requests)."""

from . import imports, release, requests, routes

routers = (routes.router, requests.router)
__all__ = ["imports", "release", "routers"]
