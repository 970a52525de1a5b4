"""`python -m tui` is `paydesk`."""

import sys

from tui.cli import main

if __name__ == "__main__":  # importing this module (e.g. to check its imports) must not run the app
    sys.exit(main())
