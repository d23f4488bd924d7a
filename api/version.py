"""The two versions parley reports, each read from where it is defined: the software's from the
installed distribution's metadata (pyproject.toml), the dataset's from `<fixtures>/curation/version.json`
(schema.curate.settings.dataset_version)."""

from __future__ import annotations

from pathlib import Path

from schema.curate.settings import SettingsError, dataset_version

NOT_INSTALLED = "unknown (not installed)"


def software_version() -> str:
    """Returns the installed distribution's version (the one in pyproject.toml)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version("parley")
    except PackageNotFoundError:  # imported from a source tree that was never installed
        return NOT_INSTALLED


def versions_line(fixtures_dir: Path) -> str:
    """Returns `parley --version`'s line: both versions, each labelled, e.g.
    "parley 0.1.0 (software), dataset 0.3.0 (fixtures/curation/version.json)"."""
    try:
        dataset = f"dataset {dataset_version(fixtures_dir)}"
    except SettingsError as error:
        dataset = f"dataset version unknown ({error})"
    return f"parley {software_version()} (software), {dataset}"
