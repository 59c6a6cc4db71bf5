"""Your data: what the product holds about a person (export) and removing it (erasure)."""
