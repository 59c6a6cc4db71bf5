"""The API's field for text a person writes.

`Text` is DRF's CharField (which refuses a NUL and lone surrogates) that also refuses control characters and
direction overrides (`timebank.controls`), field by field: a field the API ignores is never refused, and the
schema says what each field accepts (`timebank.schema`).
"""

from rest_framework import serializers

from timebank.controls import no_controls


class Text(serializers.CharField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(no_controls)
