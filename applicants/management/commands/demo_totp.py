"""Print the current second-factor code of the demo staff accounts (their shared, published secret)."""

from django.core.management.base import BaseCommand

from applicants.second_factor import DEMO_TOTP_SECRET, current_code


class Command(BaseCommand):
    help = "Print the current TOTP code of the demo staff accounts."

    def handle(self, *args, **options):
        self.stdout.write(current_code(DEMO_TOTP_SECRET))
