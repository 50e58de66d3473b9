"""Policy decision point and enforcement point."""
