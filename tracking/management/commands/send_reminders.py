"""Open the draft rounds whose scheduled opening time has come, then send the reminders the
rounds' schedules say are due, and delete the builder's old background impact runs
(submissions.impact.delete_old_runs). Run it from a timer every few minutes
(see docs/coordinators.md). Idempotent: each (round, municipality, step) is claimed by
a unique row before it is sent, so running it twice, or on two machines at once, sends once."""

from django.core.management.base import BaseCommand

from submissions.impact import delete_old_runs
from surveys.lifecycle import open_due_rounds
from tracking import reminders


class Command(BaseCommand):
    help = (
        "Åbn runder, hvis planlagte åbningstid er nået, og send planlagte påmindelser til "
        "kommuner, der ikke har indsendt (kør fx hvert 5. minut). Sikker at køre flere gange "
        "og samtidigt: hver påmindelse sendes én gang."
    )

    def handle(self, *args, **options):
        for round_ in open_due_rounds():
            self.stdout.write(f"{round_.slug}: åbnet på åbningsdatoen, invitationer sendes.")
        steps = reminders.send_scheduled()
        for step in steps:
            r = step.result
            line = (
                f"{step.round.slug}: trin {step.offset:+d} dage — {len(r.sent)} sendt, "
                f"{len(r.no_recipients)} uden e-mailadresse, {len(r.already)} allerede sendt"
            )
            self.stdout.write(line)
            if r.no_recipients:
                names = ", ".join(f"{m.name} ({m.code})" for m in r.no_recipients)
                self.stderr.write(f"  Ingen modtager — kræver en kontaktperson: {names}")
        resent = reminders.redeliver_stale()
        if resent:
            self.stdout.write(f"{resent} ventende påmindelser sat i kø igen.")
        removed = delete_old_runs()
        if removed:
            self.stdout.write(f"{removed} gamle regelvirkningskørsler slettet.")
        if not steps and not resent and options["verbosity"] > 1:
            self.stdout.write("Ingen påmindelser at sende.")
