"""Partner registry files and the partner client."""
