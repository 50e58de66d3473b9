"""Keys, envelope encryption and pseudonyms."""
