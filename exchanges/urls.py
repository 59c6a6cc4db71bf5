"""Pages for listings, exchanges, the ledger, matching and reports."""

urlpatterns: list = []
