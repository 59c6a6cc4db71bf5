"""Learn the lens through which matching reads the model's vectors from the shipped taxonomy's
texts (each skill's name, synonyms and examples) and save it (`semantic.LENS_NPY`, in the
repository). Run it after changing the shipped skills or their examples, then `matching_vectors`
and, on a deployed service, `matching_refresh`: stored vectors are only compared with their kind."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from exchanges.matching import semantic
from exchanges.matching.meaning import MeaningMatcher
from exchanges.matching.taxonomy import Taxonomy
from exchanges.matching.text import SkillMatcher


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, default=semantic.LENS_NPY, help="where to save it (.npy)")

    def handle(self, *args, output: Path, **options):
        started = time.monotonic()
        lens = MeaningMatcher(SkillMatcher(Taxonomy.from_file())).learn_lens()
        if lens is None:
            raise CommandError("The sentence-embedding model is not installed (requirements.txt).")
        semantic.save_npy(output, lens)
        self.stdout.write(
            f"Lens {lens.shape[0]} × {lens.shape[1]} saved to {output} in {time.monotonic() - started:.1f} s."
        )
