"""Pages for people and networks."""

urlpatterns: list = []
