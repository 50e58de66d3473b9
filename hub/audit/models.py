"""Table models of the audit capability."""
