"""The background parts of a process: the release clock, the delivery and translation workers,
and the live-stream hub. Each is woken by events on the bus; the composition root builds them."""
