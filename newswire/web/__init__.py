"""HTTP: the content API, the public newsroom, feeds."""
