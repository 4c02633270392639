"""Pure functions from a release to bytes: ninjs, NewsML-G2, feeds, JSON-LD, sitemap.

A format knows nothing of delivery or HTTP; channels and routes ask for bytes.
"""
