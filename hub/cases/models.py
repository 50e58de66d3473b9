"""Table models of the cases capability."""
