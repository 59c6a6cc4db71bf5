"""`manage.py verify_ledger`: recompute every balance, hold and network sum; non-zero exit on any mismatch."""

from django.core.management.base import BaseCommand, CommandError

from exchanges.ledger.selectors import ledger_verify


class Command(BaseCommand):
    help = "Recompute every account's balance and holds from the rows; exit non-zero naming each mismatch."

    def handle(self, *args, **options):
        problems = ledger_verify()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"The ledger does not add up: {len(problems)} mismatch(es).")
        self.stdout.write("The ledger adds up: every balance, hold and network sum matches its rows.")
