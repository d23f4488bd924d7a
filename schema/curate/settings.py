"""The curator's settings, kept beside the data they govern in `<fixtures>/curation/` (docs/curating.md).

`version.json` holds the dataset's version (which datapackage.json and `meta` carry; not the
software's); `vocabulary.json` the words the outside-knowledge check allows; `uncovered.json` and
`unattributed.json` the coverage allow-lists; `topics.json` the declared claim topics and
`meaning.json` the reasoned exceptions to the meaning checks; each entry with its reason. Every command finds
them from its `--fixtures` directory, so a copy of the data carries its own; a missing list allows
nothing. They are not fixture files: not served under /fixtures/, not read by the loader's checks.
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
TOPICS = "topics.json"
MEANING = "meaning.json"


class SettingsError(Exception):
    """A settings file is missing or malformed (the message names the file)."""


class PreviousRelease(Record):
    """Where the previous dataset version was published: its version and the git commit whose
    fixtures/ are that version as released."""

    version: NonEmpty
    commit: NonEmpty


class Release(Record):
    """version.json: the version of the curated data, and optionally the release it follows (needed
    only when the fixtures changed before the version was raised, so that history's newest commit
    declaring the previous version is not that version as released)."""

    version: NonEmpty
    previous: PreviousRelease | None = None


def setting(fixtures_dir: Path, name: str) -> Path:
    """Returns the path of one settings file of a fixtures directory."""
    return fixtures_dir / CURATION / name


def dataset_version(fixtures_dir: Path) -> str:
    """Returns the dataset version declared in `<fixtures>/curation/version.json`.

    Raises SettingsError with one line naming the file when it is missing or malformed.
    """
    return dataset_release(fixtures_dir).version


def dataset_release(fixtures_dir: Path) -> Release:
    """Returns `<fixtures>/curation/version.json` (raises SettingsError as dataset_version does)."""
    path = setting(fixtures_dir, VERSION)
    try:
        return Release.model_validate_json(path.read_bytes())
    except OSError as error:
        raise SettingsError(f"{path}: cannot read the dataset version ({error.strerror})") from None
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "file"
        expected = '{"version": "X.Y.Z"}'
        raise SettingsError(f"{path}: {where}: {first['msg']} (expected {expected})") from None
