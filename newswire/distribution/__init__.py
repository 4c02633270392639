"""Getting releases out: the release clock, routing, the delivery ledger, channels."""
