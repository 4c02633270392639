"""Distribution reports on the web: the tracking routes (open pixel, tracked link, page-view
beacon), the report's pages in the portal and the desk, its PDF (docs/reports.md)."""
