"""Hand every pending outbox row to the workers now, batch after batch (beat's relay job hands out
one batch every 5 seconds): for a backlog after an outage of the broker or the workers, and for
scripts/bench-notify."""

from django.core.management.base import BaseCommand, CommandError

from notifications.services import outbox_relay


class Command(BaseCommand):
    help = "Hand all pending outbox rows whose lease is free to the Celery workers, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help="rows claimed per transaction (500)")

    def handle(self, *args, batch_size, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1")
        total = 0
        while True:
            # A short batch means nothing free is left, or the broker refused a publish (the rest
            # stays pending for beat's relay): stop either way rather than spin.
            handed = outbox_relay(limit=batch_size)
            total += handed
            if handed < batch_size:
                break
        self.stdout.write(f"{total} outbox rows handed to the workers")
        return None
