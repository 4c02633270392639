"""The public newsroom: pages, feeds, sitemap."""
