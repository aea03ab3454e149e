"""``python -m gridadmin`` runs the command line."""

import sys

from gridadmin.cli import main

if __name__ == "__main__":
    sys.exit(main())
