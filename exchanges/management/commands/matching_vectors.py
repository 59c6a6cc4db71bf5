"""Embed the shipped taxonomy's skills (names, synonyms, examples) into the vectors cache
(TIMEBANK_MATCHING_CACHE), so that no process embeds them at its first match. The Dockerfile runs it
while building the image; it needs neither the database nor Redis."""

import time

from django.core.management.base import BaseCommand, CommandError

from exchanges.matching import semantic
from exchanges.matching.meaning import MeaningMatcher
from exchanges.matching.taxonomy import Taxonomy
from exchanges.matching.text import SkillMatcher


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        if not semantic.available():
            raise CommandError("The sentence-embedding model is not installed (requirements.txt).")
        started = time.monotonic()
        vectors = MeaningMatcher(SkillMatcher(Taxonomy.from_file())).skill_vectors()
        assert vectors is not None
        self.stdout.write(f"{len(vectors)} skill vectors ready in {time.monotonic() - started:.1f} s.")
