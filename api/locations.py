"""Where parley's data is: the curated fixtures, the seed texts and the example queries.

From a checkout (or an editable install) they are the repository's own `fixtures/`, `seeds/` and
`examples/`. A wheel carries copies of the same three folders as `parley_data/` beside `api/` in
site-packages (mapped by setup.py), so an installed `parley` needs no source tree.
"""

from __future__ import annotations

import os
from pathlib import Path

INSTALLED_DATA = "parley_data"
"""The folder name a wheel installs the data under, beside the `api` and `schema` packages."""

_BESIDE_API = Path(__file__).resolve().parent.parent  # the checkout's root, or site-packages


def data_root(beside_api: Path = _BESIDE_API) -> Path:
    """Takes the folder that holds `api/`; returns the folder that holds fixtures/, seeds/ and examples/.

    An installed copy (`parley_data/fixtures` beside `api/`) wins; otherwise this is a checkout.
    """
    installed = beside_api / INSTALLED_DATA
    return installed if (installed / "fixtures").is_dir() else beside_api


DATA_ROOT = data_root()
DEFAULT_FIXTURES = DATA_ROOT / "fixtures"
DEFAULT_SEEDS = DATA_ROOT / "seeds"
EXAMPLES_DIR = DATA_ROOT / "examples"
# The snapshot goes in a checkout's build/; an installed copy (data in site-packages) uses the cache dir.
DEFAULT_SNAPSHOT = (
    DATA_ROOT / "build" / "parley.db"
    if (DATA_ROOT / "api").is_dir()
    else Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "parley" / "parley.db"
)
