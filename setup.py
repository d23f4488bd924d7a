"""Packaging that pyproject.toml cannot say: the data folders go into the wheel as `parley_data`.

The repository keeps fixtures/ (with the curator's settings in fixtures/curation/), seeds/ and
examples/ at its top level; a wheel carries them as parley_data/fixtures, parley_data/seeds and
parley_data/examples beside api/ and schema/, where
api/locations.py finds them. Everything else about the package is in pyproject.toml.
"""

from setuptools import find_namespace_packages, setup

# package under parley_data -> (folder in the repository, files it ships)
DATA = {
    "fixtures": ("fixtures", ["*.json", "*.csv"]),
    "fixtures.curation": ("fixtures/curation", ["*.json"]),
    "seeds": ("seeds", ["*.txt", "SHA256SUMS"]),
    "examples": ("examples", ["*.graphql", "*.variables.json"]),
    "examples.clients": ("examples/clients", ["*.py", "*.mjs"]),
}

setup(
    # Discovery, so every subpackage of api/ and schema/ (api/http, api/graph, ...) is included,
    # and their data folders (api/static/graphiql, api/http/views/templates and records, schema/json) too.
    packages=[
        *find_namespace_packages(include=["api", "api.*", "schema", "schema.*"], exclude=["*.__pycache__"]),
        *(f"parley_data.{name}" for name in DATA),
    ],
    package_dir={f"parley_data.{name}": folder for name, (folder, _) in DATA.items()},
    package_data={
        "schema": ["*.graphql"],
        "schema.json": ["*.json"],
        "api.static.jsonld": ["*.jsonld"],
        "api.static.graphiql": ["*"],
        "api.http.views.templates": ["*"],
        "api.http.views.records": ["*.graphql"],
        **{f"parley_data.{name}": files for name, (_, files) in DATA.items()},
    },
)
