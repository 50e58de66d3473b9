"""Table models of the auth capability."""
