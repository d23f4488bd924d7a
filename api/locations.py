"""Where parley's data is: the curated fixtures, the seed texts and the example queries.

From a checkout (or an editable install) they are the repository's own `fixtures/`, `seeds/` and
`examples/`. A wheel carries copies of the same three folders as `parley_data/` beside `api/` in
site-packages (mapped by setup.py), so an installed `parley` needs no source tree.
"""

from __future__ import annotations

import hashlib
import os
import sys
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


def installed_snapshot(prefix: Path, data_root: Path, cache_home: Path, writable: bool | None = None) -> Path:
    """Where an installed copy (data in site-packages) keeps its snapshot: one file per installation.

    `<prefix>/var/parley/parley.db` under the environment it is installed in (a venv's own folder), so
    two venvs never share, overwrite or rebuild each other's snapshot. A prefix this user cannot
    write (a system-wide install) uses `<cache_home>/parley/<installation key>/parley.db`, keyed by
    the installation's data folder, so it is still one file per installation. `writable` overrides
    the check of the prefix.
    """
    if os.access(prefix, os.W_OK) if writable is None else writable:
        return prefix / "var" / "parley" / "parley.db"
    key = hashlib.sha256(str(data_root).encode("utf-8")).hexdigest()[:16]
    return cache_home / "parley" / key / "parley.db"


# The snapshot goes in a checkout's build/; an installed copy keeps one per installation (above).
DEFAULT_SNAPSHOT = (
    DATA_ROOT / "build" / "parley.db"
    if (DATA_ROOT / "api").is_dir()
    else installed_snapshot(
        Path(sys.prefix), DATA_ROOT, Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    )
)
