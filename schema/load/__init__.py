"""Loading fixtures and seeds: parsing, selectors, references, problems."""
