"""All SQL lives here: tables, queries, migrations."""
