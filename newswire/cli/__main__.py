"""`python -m newswire.cli`."""

from . import main

main()
