"""Two reminder runs at the same moment (PostgreSQL): the reminder's row is made once, and a row being
sent by one run is passed over by the other, so each reminder goes out once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from apps.billing import services
from apps.billing.models import Reminder
from apps.core.rls import rls_bypass, tenant_scope
from tests.billing.mail_gate import TIMEOUT, GatedBackend
from tests.billing.reminder_shops import END, make_shop
from tests.races import overlap

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DAY = END - timedelta(days=7)


def test_two_runs_at_once_make_the_reminder_once_and_send_it_once():
    shop = make_shop("Race Shop")

    race = overlap(
        shop, lambda: services.reminders_send(today=DAY), lambda: services.reminders_send(today=DAY)
    )

    assert isinstance(race.first, services.ReminderRun), race.first
    assert isinstance(race.second, services.ReminderRun), race.second
    assert race.second_waited  # the second's insert waited for the first's uncommitted row
    assert (race.first.created, race.first.sent) == (1, 1)
    assert (race.second.created, race.second.sent) == (0, 0)
    assert Reminder.objects.filter(tenant=shop).count() == 1 and len(mail.outbox) == 1


def test_a_run_while_another_is_sending_passes_the_reminder_over_without_waiting(settings):
    settings.EMAIL_BACKEND = "tests.billing.mail_gate.GatedBackend"
    GatedBackend.reset()
    make_shop("Busy Shop")
    outcomes: dict = {}

    def run(name: str) -> None:
        try:
            with rls_bypass():  # platform-wide, as the beat job runs
                outcomes[name] = services.reminders_send(today=DAY)
        except BaseException as exc:  # handed to the test
            outcomes[name] = exc
        finally:
            connection.close()

    first = threading.Thread(target=run, args=("first",))
    first.start()
    try:
        assert GatedBackend.entered.wait(TIMEOUT), "the first run never reached its send"
        second = threading.Thread(target=run, args=("second",))
        second.start()
        second.join(10)
        finished_while_first_sends = not second.is_alive()
    finally:
        GatedBackend.gate.set()
        first.join(TIMEOUT)
    second.join(TIMEOUT)

    assert finished_while_first_sends, "the second run waited for the row the first was sending"
    assert isinstance(outcomes["second"], services.ReminderRun), outcomes["second"]
    assert (outcomes["second"].created, outcomes["second"].sent) == (0, 0)
    assert outcomes["first"].sent == 1
    reminder = Reminder.objects.get()
    assert (reminder.state, reminder.attempts) == ("sent", 1)
    assert len(mail.outbox) == 1


def test_row_level_security_shows_a_shop_its_own_reminders_only():
    a, b = make_shop("Own Shop"), make_shop("Other Shop")
    services.reminders_send(today=DAY)
    assert Reminder.objects.count() == 2  # the test body runs bypassed, as admin does

    with tenant_scope(a.pk):
        assert list(Reminder.objects.values_list("tenant_id", flat=True)) == [a.pk]
        assert not Reminder.objects.filter(tenant=b).exists()
