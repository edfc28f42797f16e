"""Offline training of the small models that ship in `autointel/data/models` (scikit-learn, seeded)."""
