"""``python -m dyntools``: the command line."""

from .cli import main

main()
