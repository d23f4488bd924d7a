"""Generated artefacts: JSON Schemas, the data package, CSV."""
