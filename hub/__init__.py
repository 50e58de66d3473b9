"""Detentie & Terugkeer exchange hub."""
