"""Re-run a draw from its revealed seed: proves the seed matches the published hash and gives the stored order."""

from django.core.management.base import BaseCommand, CommandError

from grants import draws
from grants.models import Draw, DrawState


class Command(BaseCommand):
    help = "Verify a draw: manage.py verify_draw <draw id> [seed] (the revealed seed when omitted)."

    def add_arguments(self, parser):
        parser.add_argument("draw_id", type=int)
        parser.add_argument("seed", nargs="?", default=None)

    def handle(self, *args, draw_id, seed=None, **options):
        draw = Draw.objects.filter(pk=draw_id).first()
        if draw is None:
            raise CommandError(f"No draw {draw_id}.")
        if draw.state != DrawState.PERFORMED:
            raise CommandError(f"Draw {draw_id} has not been performed yet: its seed is still secret.")
        seed = seed or draw.revealed_seed
        hash_ok, order_ok = draws.verify(seed=seed, seed_hash_published=draw.seed_hash,
                                         participants=draw.participants, result=draw.result)
        for position, reference in enumerate(draws.draw_order(seed, draw.participants), start=1):
            self.stdout.write(f"{position}. {reference}")
        self.stdout.write(f"hash {'matches' if hash_ok else 'DOES NOT match'} {draw.seed_hash}")
        self.stdout.write(f"order {'matches' if order_ok else 'DOES NOT match'} the published result")
        if not (hash_ok and order_ok):
            raise CommandError("Verification failed.")
