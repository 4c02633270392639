"""Subscriber self-service pages: journalists' sign-up (/subscribe), preferences (/subscriber) and
outlets' webhook endpoints, delivery log and keys (/subscriber/endpoints)."""
