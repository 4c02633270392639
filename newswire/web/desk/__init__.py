"""The editor desk (/desk): the queue, a release's page and actions, its translations side by side
and its audit trail, for editors and admins."""
