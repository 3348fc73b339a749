from django.core.management.base import BaseCommand, CommandError

from grants.models import Budget
from grants.services import budget_reconcile


class Command(BaseCommand):
    help = "Prove that every scheme's budget totals equal the sums of its ledger entries."

    def handle(self, *args, **options):
        differences = 0
        for budget in Budget.objects.select_related("scheme").order_by("pk"):
            for field, (stored, expected) in budget_reconcile(budget).items():
                differences += 1
                self.stderr.write(f"{budget.scheme}: {field} is {stored}, ledger says {expected}")
        if differences:
            raise CommandError(f"{differences} difference(s) between budget totals and the ledger")
        self.stdout.write(self.style.SUCCESS("All budgets reconcile with their ledgers."))
