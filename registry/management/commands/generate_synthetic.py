from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from registry.devtools import synthetic


class Command(BaseCommand):
    help = (
        "Fill an EMPTY database with a synthetic register for tests and benchmarks: every "
        "name starts with 'Synthetic'. Refuses a database that holds any record."
    )

    def add_arguments(self, parser):
        parser.add_argument("--agencies", type=int, default=20_000)
        parser.add_argument("--deployments", type=int, default=100_000)
        parser.add_argument("--seed", type=int, default=1, help="Same seed, same register.")
        parser.add_argument(
            "--i-know-this-is-synthetic",
            action="store_true",
            help="Needed when DEBUG is off: this is never a production dataset.",
        )

    def handle(self, *args, agencies, deployments, seed, i_know_this_is_synthetic, **options):
        if agencies < 1 or deployments < 1:
            raise CommandError("--agencies and --deployments must be at least 1.")
        if not settings.DEBUG and not i_know_this_is_synthetic:
            raise CommandError(
                "DEBUG is off, so this may be a production database. Synthetic data is for "
                "tests and benchmarks only; add --i-know-this-is-synthetic if that is what "
                "you want."
            )
        database = connection.settings_dict["NAME"]
        self.stdout.write(
            f"Generating a synthetic register in {connection.vendor} database {database} "
            f"(seed {seed})"
        )

        def progress(step, rows, seconds):
            self.stdout.write(f"  {step:<18} {rows:>9,} rows {seconds:8.2f} s")

        try:
            report = synthetic.generate(
                agencies=agencies, deployments=deployments, seed=seed, progress=progress
            )
        except synthetic.RegisterNotEmpty as exc:
            raise CommandError(
                f"{exc} Point DATABASE_URL at a new database (then migrate), or empty "
                "this one with `manage.py flush`."
            ) from exc
        self.stdout.write(self.style.SUCCESS(f"Done in {report.seconds:.1f} s."))
