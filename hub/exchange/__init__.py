"""exchange capability."""
