"""`python -m apilint` runs the command-line interface."""

import sys

from apilint.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
