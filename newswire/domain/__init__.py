"""The wire's vocabulary and rules: plain Python, no HTTP, no SQL."""
