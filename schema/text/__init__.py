"""Text helpers over seeds: sentences, quotes, passages."""
