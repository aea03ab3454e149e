"""Start the GridAdmin desktop application: ``python main.py [--db DB]``."""

import sys

from gridadmin.ui.app import main

if __name__ == "__main__":
    sys.exit(main())
