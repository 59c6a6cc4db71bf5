"""API routes for conversations, messages and notifications (under /api/v1/)."""

urlpatterns: list = []
