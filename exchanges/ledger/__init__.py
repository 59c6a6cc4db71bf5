"""The reciprocity ledger: accounts, holds and immutable transfers."""
