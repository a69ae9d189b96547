"""``python -m <package> STEP``: see :mod:`.cli`."""

from .cli import main

raise SystemExit(main())
