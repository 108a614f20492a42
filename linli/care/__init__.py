"""Customer relationship care (POLICY Ch.5): three Django apps under one package — see
docs/decisions/0009-care-as-three-apps.md."""
