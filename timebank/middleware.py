"""Service refusals on pages: the same NotFound and Forbidden the API turns into 404 and 403 (timebank.api)
answer a page with the site's 404 or 403, so a view asks a service or selector and adds no check of its own."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from timebank.errors import Forbidden, NotFound


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # Django's own handlers render the 404 and 403 pages from these.
        if isinstance(exception, NotFound):
            raise Http404(exception.message) from exception
        if isinstance(exception, Forbidden):
            raise PermissionDenied(exception.message) from exception
        return None
