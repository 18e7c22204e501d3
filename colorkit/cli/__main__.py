"""``python -m colorkit.cli``: the ``colorkit`` command."""
import sys

from colorkit.cli import main

sys.exit(main())
