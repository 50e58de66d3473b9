"""origin capability: the municipality of origin as a fact with a history (issue 16)."""
