"""AMC reminders: which one is due on which day for a trial, a paid year and a complimentary period; a
late job catches up with the latest only; none for free plans or suspended contracts; a renewal starts a
fresh set and gets no "grace over"; each is sent once however often the job runs; a failed send is
retried, then given up with the error; the e-mail says what the shop needs to know; super admins alone
read the log."""

from __future__ import annotations

import socket
from datetime import date, timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.test import Client
from django.urls import reverse

from apps.billing import services
from apps.billing.models import REMINDER_ATTEMPTS_MAX, Reminder
from apps.billing.tasks import contracts_reminders_task
from apps.core.rls import request_scope
from apps.tenants.models import Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import UserFactory
from tests.billing.conftest import PRICE, contract_of
from tests.billing.reminder_shops import END, START, day_run, make_shop

pytestmark = pytest.mark.django_db

K = Reminder.Kind


def kinds_of(shop: Tenant) -> list[tuple[str, date, str]]:
    return list(
        Reminder.objects.filter(tenant=shop).order_by("id").values_list("kind", "period_end", "state")
    )


def sent_to(address: str) -> list[str]:
    return [m.subject for m in mail.outbox if address in m.to]


# --- which reminder on which day -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "kind"),
    [
        (START, None),  # 30 days before the end fell before the trial began: no 30-day reminder
        (END - timedelta(days=8), None),
        (END - timedelta(days=7), K.BEFORE_7),
        (END - timedelta(days=2), K.BEFORE_7),
        (END - timedelta(days=1), K.BEFORE_1),
        (END, K.ENDS_TODAY),
        (END + timedelta(days=15), K.ENDS_TODAY),  # grace's last day: still the latest
        (END + timedelta(days=16), K.GRACE_OVER),  # read-only from today
        (END + timedelta(days=45), K.GRACE_OVER),
        (END + timedelta(days=46), None),  # 30 days on, a lapsed shop is not told again
    ],
)
def test_a_trials_reminder_of_the_day(day, kind):
    shop = make_shop("Trial Shop")
    services.contracts_lifecycle_advance(today=day)

    due = services.reminder_current(contract=contract_of(shop), today=day)

    assert (due.kind if due else None) == kind


def test_a_paid_year_is_reminded_30_7_and_1_days_before_on_the_day_and_when_grace_is_over():
    shop = make_shop("Paid Shop")
    services.contract_renew(
        contract=contract_of(shop), paid_on=START, amount=PRICE, caused_by="payment t1", today=START
    )
    end = contract_of(shop).period_end
    assert end == date(2027, 3, 31)
    days = {end + timedelta(days=n): n for n in (-31, -30, -7, -1, 0, 1, 16, 17)}

    for day in sorted(days):
        day_run(day)

    assert [(k, s) for k, _, s in kinds_of(shop)] == [
        (K.BEFORE_30, "sent"), (K.BEFORE_7, "sent"), (K.BEFORE_1, "sent"), (K.ENDS_TODAY, "sent"),
        (K.GRACE_OVER, "sent"),
    ]  # fmt: skip
    due_on = dict(Reminder.objects.filter(tenant=shop).values_list("kind", "due_on"))
    assert due_on == {
        K.BEFORE_30: date(2027, 3, 1), K.BEFORE_7: date(2027, 3, 24), K.BEFORE_1: date(2027, 3, 30),
        K.ENDS_TODAY: end, K.GRACE_OVER: date(2027, 4, 16),
    }  # fmt: skip
    assert len(sent_to("owner0@paid-shop.in")) == 5 and sent_to("staff@paid-shop.in") == []


def test_a_complimentary_period_is_reminded_like_a_paid_one(root):
    shop = make_shop("Comp Shop")
    until = date(2026, 9, 30)
    services.contract_comp(
        contract=contract_of(shop), until=until, reason="launch offer", actor=root, today=START
    )

    assert services.reminder_current(contract=contract_of(shop), today=until - timedelta(days=31)) is None
    due = services.reminder_current(contract=contract_of(shop), today=until - timedelta(days=30))
    assert (due.kind, due.due_on) == (K.BEFORE_30, date(2026, 8, 31))


def test_a_job_that_missed_days_sends_only_the_latest_reminder():
    shop = make_shop("Late Shop")

    run = day_run(END)  # nothing ran since the trial began: 7 days and 1 day before were missed

    assert kinds_of(shop) == [(K.ENDS_TODAY, END, "sent")]
    assert (run.created, run.sent) == (1, 1)
    assert sent_to("owner0@late-shop.in") == ["The Tijori trial of Late Shop ends today, 31 Mar 2026"]


def test_free_plans_and_suspended_contracts_get_none(owner, root):
    personal = tenant_create(owner=owner, kind=Tenant.Kind.PERSONAL, name="Side Builds")
    held = make_shop("Held Shop")
    services.contract_suspend(contract=contract_of(held), reason="chargeback", actor=root)

    for day in (END - timedelta(days=7), END, END + timedelta(days=16)):
        run = day_run(day)
        assert (run.created, run.sent) == (0, 0)

    assert Reminder.objects.filter(tenant__in=[personal, held]).count() == 0 and mail.outbox == []


def test_a_deactivated_shop_gets_none(root):
    shop = make_shop("Closed Shop")
    Tenant.objects.filter(pk=shop.pk).update(is_active=False)

    assert day_run(END).created == 0 and kinds_of(shop) == []


def test_a_renewal_starts_a_fresh_set_for_the_new_period():
    shop = make_shop("Renewing Shop")
    day_run(END - timedelta(days=7))
    services.contract_renew(
        contract=contract_of(shop), paid_on=END - timedelta(days=3), amount=PRICE, caused_by="payment t2",
        today=END - timedelta(days=3),
    )  # fmt: skip
    new_end = contract_of(shop).period_end

    for day in (END - timedelta(days=1), END, END + timedelta(days=16)):
        assert day_run(day).created == 0  # the old period's later reminders are not due any more
    day_run(new_end - timedelta(days=30))

    assert kinds_of(shop) == [(K.BEFORE_7, END, "sent"), (K.BEFORE_30, new_end, "sent")]


def test_grace_over_goes_only_to_the_shop_that_did_not_renew():
    lapsed, renewed = make_shop("Lapsed Shop"), make_shop("Renewed Shop")
    in_grace = END + timedelta(days=5)
    day_run(in_grace)
    services.contract_renew(
        contract=contract_of(renewed), paid_on=in_grace, amount=PRICE, caused_by="payment t3", today=in_grace
    )

    day_run(END + timedelta(days=16))

    assert kinds_of(lapsed) == [(K.ENDS_TODAY, END, "sent"), (K.GRACE_OVER, END, "sent")]
    assert kinds_of(renewed) == [(K.ENDS_TODAY, END, "sent")]
    assert (
        sent_to("owner0@lapsed-shop.in")[-1]
        == "Lapsed Shop is read-only now: renew the Tijori AMC to make changes"
    )


def test_grace_over_waits_until_the_lifecycle_job_has_expired_the_contract():
    shop = make_shop("Waiting Shop")
    day = END + timedelta(days=16)

    assert services.reminders_send(today=day).created == 0  # the lifecycle job has not run yet
    assert day_run(day).created == 1

    assert kinds_of(shop) == [(K.GRACE_OVER, END, "sent")]


def test_a_pending_reminder_no_longer_due_is_given_up_not_sent_late(settings):
    shop = make_shop("Slow Shop")
    _refuse_mail(settings)
    day_run(END - timedelta(days=7))  # the mail server is down: before_7 stays pending
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    run = day_run(END - timedelta(days=1))

    assert kinds_of(shop) == [(K.BEFORE_7, END, "failed"), (K.BEFORE_1, END, "sent")]
    assert Reminder.objects.get(kind=K.BEFORE_7).error.startswith("Not sent: it was no longer due")
    assert (run.sent, run.failed) == (1, 1)
    assert len(sent_to("owner0@slow-shop.in")) == 1


# --- once, however often it runs -----------------------------------------------------------------


def test_running_the_job_twice_sends_each_reminder_once():
    make_shop("Shop One", owners=2)
    make_shop("Shop Two")
    day = END - timedelta(days=7)

    first, second = day_run(day), day_run(day)

    assert (first.created, first.sent) == (2, 2) and (second.created, second.sent) == (0, 0)
    assert len(mail.outbox) == 2
    assert sorted(mail.outbox[0].to + mail.outbox[1].to) == [
        "owner0@shop-one.in", "owner0@shop-two.in", "owner1@shop-one.in",
    ]  # fmt: skip
    reminder = Reminder.objects.get(tenant__name="Shop One")
    assert reminder.recipients == ["owner0@shop-one.in", "owner1@shop-one.in"]
    assert (reminder.state, reminder.attempts) == ("sent", 1) and reminder.sent_at is not None


def test_a_reminder_already_sent_is_never_sent_again():
    shop = make_shop("Sent Shop")
    day_run(END)
    reminder = Reminder.objects.get(tenant=shop)

    assert services.reminder_deliver(reminder_id=reminder.pk, today=END) == ""

    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, len(mail.outbox)) == ("sent", 1, 1)


def test_the_database_refuses_a_second_row_for_the_same_reminder():
    from django.db import IntegrityError, transaction

    shop = make_shop("Keyed Shop")
    due = services.reminder_current(contract=contract_of(shop), today=END)
    services.reminder_record(due=due)

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(tenant=shop, contract=due.contract, kind=due.kind, period_end=END, due_on=END)


def test_the_e_mail_says_when_what_happens_next_what_it_costs_and_where_to_renew(settings):
    settings.SITE_URL = "https://app.tijori.in"
    make_shop("Mail Shop")

    day_run(END - timedelta(days=7))
    day_run(END + timedelta(days=16))

    before, over = mail.outbox
    assert before.subject == "The Tijori trial of Mail Shop ends on 31 Mar 2026"
    assert before.from_email == settings.DEFAULT_FROM_EMAIL
    assert "The trial of Mail Shop on Tijori ends on 31 Mar 2026, in 7 days." in before.body
    assert "15 days of grace, until 15 Apr 2026. From 16 Apr 2026 Mail Shop becomes read-only" in before.body
    assert "A year of the AMC plan costs ₹10,000.00 + GST. Renew on the Billing page" in before.body
    assert "https://app.tijori.in" + reverse("billing:contract") in before.body
    assert "ended on 31 Mar 2026, and its grace on 15 Apr 2026." in over.body
    assert "Mail Shop is read-only now. Nothing is deleted" in over.body


# --- failures -----------------------------------------------------------------------------------


def _refuse_mail(settings) -> None:
    """The real SMTP backend, pointed at a port where nothing listens: every send is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False


def test_a_failed_send_stays_pending_and_the_next_run_sends_it(settings):
    shop = make_shop("Flaky Shop")
    day = END - timedelta(days=7)
    _refuse_mail(settings)

    run = day_run(day)

    reminder = Reminder.objects.get(tenant=shop)
    assert (run.sent, run.retrying, reminder.state, reminder.attempts) == (0, 1, "pending", 1)
    assert reminder.error.startswith("ConnectionRefusedError") and reminder.sent_at is None
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert day_run(day).sent == 1
    reminder.refresh_from_db()
    assert (reminder.state, reminder.attempts, reminder.error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_the_task_retries_a_failed_send_later_then_marks_it_failed_with_the_error(settings):
    shop = make_shop("Dead Mail Shop")
    day = END - timedelta(days=7)
    _refuse_mail(settings)
    waits = []

    with request_scope():  # as a worker runs it: no tenant, the beat job's own bypass
        for retries in range(REMINDER_ATTEMPTS_MAX):
            try:
                result = contracts_reminders_task.apply(
                    kwargs={"day": day.isoformat()}, retries=retries, throw=True
                ).get()
            except Retry as retry:
                waits.append(retry.when)
                assert retry.sig.kwargs == {"day": day.isoformat()}  # the same day, however late the retry

    assert waits == [300, 1200, 4800]
    reminder = Reminder.objects.get(tenant=shop)
    assert (reminder.state, reminder.attempts) == ("failed", REMINDER_ATTEMPTS_MAX)
    assert reminder.error.startswith("ConnectionRefusedError")
    assert result == {"day": day.isoformat(), "created": 0, "sent": 0, "retrying": 0, "failed": 1}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert day_run(day).sent == 0 and mail.outbox == []  # given up: not sent again


def test_the_beat_task_sees_every_tenant():
    make_shop("Beat One"), make_shop("Beat Two")
    day = END - timedelta(days=1)

    with request_scope():
        result = contracts_reminders_task.apply(kwargs={"day": day.isoformat()}).get()

    assert (result["created"], result["sent"]) == (2, 2) and len(mail.outbox) == 2


# --- the e-mail log: super admins only ------------------------------------------------------------


def _two_shops_reminded() -> tuple[Tenant, Tenant]:
    a, b = make_shop("Alpha Gold"), make_shop("Beta Jewels")
    day_run(END - timedelta(days=7))
    return a, b


def test_super_admins_read_every_shops_log_filter_and_search_it(root_client):
    _two_shops_reminded()
    url = reverse("admin:billing_reminder_changelist")

    page = root_client.get(url).content.decode()
    assert "Alpha Gold" in page and "Beta Jewels" in page and "owner0@alpha-gold.in" in page
    searched = root_client.get(url, {"q": "Beta"}).content.decode()
    assert "Beta Jewels" in searched and "Alpha Gold" not in searched
    assert (
        "Alpha Gold"
        in root_client.get(url, {"state__exact": "sent", "kind__exact": "before_7"}).content.decode()
    )
    assert "Alpha Gold" not in root_client.get(url, {"state__exact": "failed"}).content.decode()


def test_a_contracts_page_lists_its_own_reminders_only(root_client):
    a, _ = _two_shops_reminded()

    page = root_client.get(
        reverse("admin:billing_contract_change", args=[contract_of(a).pk])
    ).content.decode()

    assert "Reminders e-mailed" in page and "owner0@alpha-gold.in" in page
    assert "beta-jewels" not in page


def test_nobody_adds_changes_or_deletes_a_reminder(root_client):
    a, _ = _two_shops_reminded()
    reminder = Reminder.objects.get(tenant=a)

    assert root_client.get(reverse("admin:billing_reminder_add")).status_code == 403
    assert root_client.get(reverse("admin:billing_reminder_delete", args=[reminder.pk])).status_code == 403
    change = reverse("admin:billing_reminder_change", args=[reminder.pk])
    assert 'name="_save"' not in root_client.get(change).content.decode()
    assert root_client.post(change, {"state": "pending"}).status_code == 403
    assert Reminder.objects.get(pk=reminder.pk).state == "sent"


def test_shop_owners_and_staff_without_the_right_cannot_read_the_log(owner):
    _two_shops_reminded()
    url = reverse("admin:billing_reminder_changelist")
    member = Client()
    member.force_login(owner)
    helper = UserFactory(email="helper@tijori.in", is_staff=True)  # staff of the platform, no rights given
    desk = Client()
    desk.force_login(helper)

    assert member.get(url).status_code == 302  # to the admin's sign-in
    assert desk.get(url).status_code == 403
