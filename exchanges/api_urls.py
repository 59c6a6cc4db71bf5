"""API routes for listings, exchanges, the ledger, matching and reports (under /api/v1/)."""

urlpatterns: list = []
