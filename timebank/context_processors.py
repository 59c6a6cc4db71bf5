"""Template context for every page: where the running code's source can be had (AGPL-3.0 §13)."""

from django.conf import settings


def source(request):
    return {"source_url": settings.TIMEBANK_SOURCE_URL}
