"""Table models of the exchange capability."""
