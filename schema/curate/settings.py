"""The curator's settings, kept beside the data they govern: `<fixtures>/curation/`.

- `version.json`: the dataset's version (`{"version": "0.2.0"}`), which datapackage.json and `meta`
  carry; bump it when a published record changes (`parley --version` is the software's version).
- `vocabulary.json`: the curator's own words the outside-knowledge check allows, each with a reason.
- `uncovered.json`: quoted passages no evidence needs to cover; `unattributed.json`: sentences with
  a speech verb no citation needs to cover; each entry with its reason.

Every command finds them from the fixtures directory it is given (`--fixtures`), so a copy of the
data carries its own settings; a missing list allows nothing. None is a fixture file: they are not
served under /fixtures/, and the loader's checks do not read them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from schema.model.models import NonEmpty, Record

CURATION = "curation"
"""The folder of the settings, inside the fixtures directory."""
VERSION = "version.json"
VOCABULARY = "vocabulary.json"
UNCOVERED = "uncovered.json"
UNATTRIBUTED = "unattributed.json"


class SettingsError(Exception):
    """A settings file is missing or malformed (the message names the file)."""


class Release(Record):
    """version.json: the version of the curated data."""

    version: NonEmpty


def setting(fixtures_dir: Path, name: str) -> Path:
    """Returns the path of one settings file of a fixtures directory."""
    return fixtures_dir / CURATION / name


def dataset_version(fixtures_dir: Path) -> str:
    """Returns the dataset version declared in `<fixtures>/curation/version.json`.

    Raises SettingsError with one line naming the file when it is missing or malformed.
    """
    path = setting(fixtures_dir, VERSION)
    try:
        return Release.model_validate_json(path.read_bytes()).version
    except OSError as error:
        raise SettingsError(f"{path}: cannot read the dataset version ({error.strerror})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        expected = '{"version": "X.Y.Z"}'
        raise SettingsError(f"{path}: {where}: {first['msg']} (expected {expected})") from None
