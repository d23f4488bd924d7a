"""`python -m schema {validate,coverage,generate}`: the data-layer commands."""

import sys

from schema.commands import main

sys.exit(main())
