"""Accessibility in real Chromium: every page as an owner and as staff, signed out and as a super admin,
and each main form after a failed submit, at 1280 and 390 px, with axe-core's WCAG 2.x A and AA rules
(tests/e2e/axe.py); and what a keyboard user meets: the error summary, focus kept through htmx updates,
live regions that say little, and every control at phone width."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from apps.inventory.models import Purity
from apps.inventory.services import (
    hallmark_batch_receive,
    hallmark_batch_send,
    metal_rate_set,
    stock_item_create,
)
from apps.invoicing import services as invoicing
from apps.provisioning.models import Operation, Project
from apps.provisioning.services import aws_account_start
from apps.tenants.models import Membership, Role
from apps.tenants.services import api_key_create, invitation_create, invitation_token, tenant_create
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.axe import axe_check, axe_flush
from tests.e2e.test_browser import _login
from tests.provisioning.factories import DeployedProjectFactory, ProjectFactory
from tests.tenants.factories import gstin_for, gstin_verified

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("certificates_in_tmp", "imports_in_tmp"),
]

WIDTHS = (1280, 390)


@pytest.fixture
def world():
    """A shop with something on every page: stock, a batch at the centre and one back, a draft sale, an
    issued and paid invoice with a credit note started, a customer with an advance, projects new and
    deployed, an API key and an open invitation; and a staff member."""
    owner = UserFactory(email="owner@a11y.in", full_name="Anjali Owner")
    shop = tenant_create(owner=owner, kind="shop", name="Anjali Jewellers", state_code="27", gstin=gstin_for("27"),
                         address="9 Zaveri Bazaar, Mumbai")  # fmt: skip
    shop = gstin_verified(shop)
    staff = UserFactory(email="staff@a11y.in", full_name="Suresh Staff")
    Membership.objects.create(tenant=shop, user=staff, role=Role.STAFF)
    owner_membership = Membership.objects.get(tenant=shop, user=owner)
    gold = Purity.objects.get(metal="gold", fineness=916)
    metal_rate_set(tenant=shop, actor=owner, purity=gold, rate_per_gram="6500")

    def article(name, **values):
        return stock_item_create(tenant=shop, actor=owner, name=name, purity=gold, gross_weight="10",
                                 making_charge_value="500", **values)  # fmt: skip

    ring = article("Peacock ring", huid="PEA101", hallmark_status="hallmarked")
    bangle = article("Temple bangle", huid="TMP101", hallmark_status="hallmarked")
    away, back = article("Jhumka pair"), article("Plain band")
    article("Rani haar")  # pending hallmarking, so the batch form lists it
    today = date.today()
    at_centre = hallmark_batch_send(tenant=shop, actor=owner, centre_name="Mumbai AHC", request_number="M-1",
                                    sent_on=today, item_ids=[away.pk])  # fmt: skip
    received = hallmark_batch_send(tenant=shop, actor=owner, centre_name="Mumbai AHC", request_number="M-2",
                                   sent_on=today, item_ids=[back.pk])  # fmt: skip
    hallmark_batch_receive(
        tenant=shop, actor=owner, batch=received, received_on=today, huids={back.pk: "BND101"}
    )

    customer = invoicing.customer_create(tenant=shop, actor=owner, name="Meera Shah", phone="98200 12345",
                                         address="4 Hill Road, Mumbai", state_code="27")  # fmt: skip
    voucher = invoicing.receipt_voucher_create(tenant=shop, actor=owner, customer=customer, mode="cash",
                                               amount="5000", description="Advance for a necklace")  # fmt: skip
    issued = invoicing.invoice_draft_create(tenant=shop, actor=owner, customer=customer)
    invoicing.invoice_line_add_article(tenant=shop, actor=owner, invoice=issued, item=ring)
    issued = invoicing.invoice_issue(tenant=shop, actor=owner, invoice=issued)
    invoicing.payment_record(tenant=shop, actor=owner, invoice=issued, mode="upi", amount="10000")
    note = invoicing.credit_note_draft_create(
        tenant=shop, actor=owner, original=issued, reason="sales_return"
    )
    draft = invoicing.invoice_draft_create(tenant=shop, actor=owner)
    invoicing.invoice_line_add_article(tenant=shop, actor=owner, invoice=draft, item=bangle)

    new_project = ProjectFactory(tenant=shop, actor=owner, name="Catalogue")
    deployed = DeployedProjectFactory(tenant=shop, actor=owner, name="Shop site")
    aws_account_start(tenant=shop, actor=owner)
    api_key_create(
        tenant=shop, actor=owner, actor_membership=owner_membership, name="Billing desk", role="staff"
    )
    invitation = invitation_create(tenant=shop, actor=owner, actor_membership=owner_membership,
                                   email="neha@a11y.in", role="staff")  # fmt: skip
    return {
        "owner": owner, "staff": staff, "shop": shop, "customer": customer, "voucher": voucher,
        "issued": issued, "note": note, "draft": draft, "ring": ring, "at_centre": at_centre,
        "received": received, "new_project": new_project, "deployed": deployed, "invitation": invitation,
    }  # fmt: skip


def _member_pages(w) -> list[str]:
    return [
        "/", "/account/", "/account/password/", "/workspaces/new/",
        "/settings/", "/settings/team/", "/settings/api-keys/", "/settings/audit/",
        "/stock/", "/stock/new/", f"/stock/{w['ring'].pk}/", f"/stock/{w['ring'].pk}/edit/",
        "/stock/batches/", "/stock/batches/new/", f"/stock/batches/{w['at_centre'].pk}/",
        f"/stock/batches/{w['received'].pk}/", "/stock/rates/", "/stock/compliance/", "/stock/import/",
        "/sales/", f"/sales/{w['draft'].pk}/", f"/sales/{w['issued'].pk}/", f"/sales/{w['issued'].pk}/print/",
        f"/sales/{w['note'].pk}/",
        "/customers/", "/customers/new/", f"/customers/{w['customer'].pk}/", f"/customers/{w['customer'].pk}/edit/",
        f"/advances/{w['voucher'].pk}/", f"/advances/{w['voucher'].pk}/print/",
        "/projects/", "/projects/aws-account/",
        f"/projects/{w['new_project'].pk}/", f"/projects/{w['new_project'].pk}/application/",
        f"/projects/{w['deployed'].pk}/", f"/projects/{w['deployed'].pk}/application/",
    ]  # fmt: skip


def _at_both_widths(page) -> None:
    """The page as it is, scanned at a desktop's width and a phone's; the phone keeps every control."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        axe_check(page)
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _walk(page, base: str, paths: list[str], *, allowed=(200,)) -> None:
    for path in paths:
        response = page.goto(f"{base}{path}")
        assert response.status in allowed, f"{path} answered {response.status}"
        _at_both_widths(page)


@pytest.mark.parametrize("who", ["owner", "staff"])
def test_every_page_of_a_member_passes_axe_at_both_widths(page, live_server, world, who):
    _login(page, live_server.url, world[who].email)
    # Staff see what their role allows; a page it does not (the AWS account, another's settings) is a 403.
    _walk(page, live_server.url, _member_pages(world), allowed=(200,) if who == "owner" else (200, 403))


def test_signed_out_pages_and_the_error_pages_pass_axe(page, live_server, world):
    user = world["staff"]
    reset = f"/password-reset/{urlsafe_base64_encode(force_bytes(user.pk))}/{default_token_generator.make_token(user)}/"
    pages = ["/login/", "/signup/", "/signup/sent/", "/password-reset/", "/password-reset/sent/",
             "/password-reset/done/", f"/invitations/{invitation_token(world['invitation'])}/"]  # fmt: skip
    _walk(page, live_server.url, pages)
    _walk(page, live_server.url, [reset], allowed=(200, 302))
    _walk(page, live_server.url, ["/invitations/not-a-token/", "/no-such-page/"], allowed=(404, 410))


def test_the_platform_pages_pass_axe(page, live_server, world):
    root = UserFactory(email="root@a11y.in", full_name="Ravi Root", is_staff=True, is_superuser=True)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/stats/")
    page.locator("#id_username").fill(root.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/stats/$"))
    _at_both_widths(page)


def _failed(
    page, base: str, path: str, submit: str, fill: dict[str, str] | None = None, *, opening=""
) -> None:
    """Open `path` (and the part `opening` names), fill what `fill` says, press `submit`: the form comes
    back with an error summary that has the focus, and the page passes axe at both widths."""
    page.goto(f"{base}{path}")
    if opening:
        page.get_by_text(opening, exact=True).click()
    form = page.locator("form").filter(has=page.get_by_role("button", name=submit, exact=True)).first
    for label, value in (fill or {}).items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_role("button", name=submit, exact=True).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text(
        re.compile(r"^There (is a problem|are \d+ problems)$")
    )
    _at_both_widths(page)


def test_each_main_form_after_a_failed_submit_passes_axe_with_its_summary_focused(page, live_server, world):
    base, w = live_server.url, world
    _failed(page, base, "/signup/", "Create account")
    _failed(page, base, "/password-reset/", "Send the link")
    _failed(
        page, base, "/login/", "Sign in", {"E-mail address": w["owner"].email, "Password": "not-the-password"}
    )
    _login(page, base, w["owner"].email)
    _failed(page, base, "/account/password/", "Change password")
    _failed(page, base, "/workspaces/new/", "Create")
    _failed(page, base, "/settings/team/", "Send invitation")
    _failed(page, base, "/settings/api-keys/", "Make key")
    _failed(page, base, "/stock/new/", "Add to stock")
    _failed(page, base, "/stock/batches/new/", "Record the batch as sent")
    _failed(page, base, f"/stock/batches/{w['at_centre'].pk}/", "Save HUIDs and mark received",
            {f"HUID of {w['at_centre'].items.get().sku}": "no"})  # fmt: skip
    _failed(page, base, "/stock/rates/", "Save rates", {"22K916 (₹ per gram)": "a lot"})
    _failed(page, base, "/stock/compliance/", "Save registration")
    _failed(page, base, "/stock/import/", "Check the file")
    _failed(page, base, "/projects/", "Create project")
    _failed(page, base, "/projects/aws-account/", "Save and check", {"Role ARN": "not an ARN"})
    _failed(page, base, "/customers/new/", "Save")
    _failed(page, base, f"/customers/{w['customer'].pk}/", "Take advance", opening="Take an advance")
    _failed(page, base, f"/sales/{w['draft'].pk}/", "Add", {"HUID or SKU": "NOSUCH"})  # answered by htmx
    _failed(page, base, f"/sales/{w['issued'].pk}/", "Record payment", {"Amount (₹)": "lots"})


# --- what a keyboard and a screen reader meet ------------------------------------------------------


def test_a_failed_article_leads_the_keyboard_from_the_summary_to_the_field(page, live_server, world):
    _login(page, live_server.url, world["owner"].email)
    page.goto(f"{live_server.url}/stock/new/")
    page.get_by_role("button", name="Add to stock").press("Enter")

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_have_accessible_name(re.compile(r"^There (is a problem|are \d+ problems)$"))
    page.keyboard.press("Tab")
    first = summary.get_by_role("link").first
    expect(first).to_be_focused()
    expect(first).to_have_text("Name: This field is required.")
    page.keyboard.press("Enter")
    name = page.get_by_label("Name", exact=True)
    expect(name).to_be_focused()
    # The error and the help are read with the box: Django names their ids, the field partial gives them.
    expect(name).to_have_accessible_description("This field is required.")
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Hallmark status")).to_have_attribute(
        "aria-required", "true"
    )  # a select HTML can't mark
    page.keyboard.type("Kundan choker")


def test_a_batch_is_sent_and_received_by_keyboard_on_a_phone(browser, live_server, world):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    _login(page, live_server.url, world["owner"].email)
    # The main navigation keeps every tab whole at phone width.
    settings = page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings")
    expect(settings).to_be_in_viewport(ratio=1)
    assert settings.evaluate("a => a.scrollWidth <= a.clientWidth"), "Settings is cut short"

    page.goto(f"{live_server.url}/stock/batches/new/")
    choose_all = page.get_by_label("Choose all")
    expect(choose_all).to_be_visible()  # the table's header row is hidden on a phone; this is not
    choose_all.focus()
    page.keyboard.press("Space")
    boxes = page.locator("input[name=item_ids]")
    assert boxes.count() > 0 and all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.get_by_label("Hallmarking centre").focus()
    page.keyboard.type("Jaipur AHC")
    page.keyboard.press("Tab")
    page.keyboard.type("JP-9")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/stock/batches/\d+/$"))

    huid = page.get_by_label("HUID of", exact=False).first
    huid.focus()
    page.keyboard.type("no")  # too short: refused, and said where
    page.keyboard.press("Enter")
    expect(page.locator("[data-error-summary]")).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    huid = page.get_by_label("HUID of", exact=False).first
    expect(huid).to_be_focused()
    expect(huid).to_have_accessible_description(re.compile("HUID"))
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type("jp9k01")
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile(r"received: \d+ of \d+ hallmarked"))).to_be_visible()
    context.close()


def test_filtering_announces_a_short_line_not_the_table(page, live_server, world):
    _login(page, live_server.url, world["owner"].email)
    page.goto(f"{live_server.url}/stock/")
    status = page.locator("#stock-status")
    expect(status).to_have_attribute("role", "status")
    status.evaluate("el => { el.dataset.kept = 'yes'; }")
    assert page.locator("#stock-rows").get_attribute("aria-live") is None  # the table is not read out
    page.get_by_label("Search").fill("PEA101")
    expect(page.locator("#stock-rows tbody tr")).to_have_count(1)
    expect(status).to_have_text("1 article matches")
    expect(status).to_have_attribute("data-kept", "yes")  # the same live region, its words changed

    page.goto(f"{live_server.url}/settings/audit/")
    audit = page.locator("#audit-status")
    audit.evaluate("el => { el.dataset.kept = 'yes'; }")
    page.get_by_label("Search").fill("Peacock")
    page.get_by_label("Search").press("Enter")
    expect(audit).to_have_text(re.compile(r"^\d+ events? match(es)?$"))
    expect(audit).to_have_attribute("data-kept", "yes")


def test_focus_and_the_status_line_survive_the_project_status_poll(page, live_server, world):
    """While a stack is provisioned the tab asks for its live part every 2 s: the focus stays on the link
    it was on, the status line is the same live region with new words, and the asking stops at the end."""
    shop, owner = world["shop"], world["owner"]
    project = Project.objects.create(
        tenant=shop, name="Wedding invite", key="k0000009", region="ap-south-1", estimate_usd_month="12.50",
        infra_state=Project.InfraState.PROVISIONING, created_by=owner,
    )  # fmt: skip
    steps = [{"step": s, "label": label, "state": "waiting", "at": None}
             for s, label in [("role", "Execution role"), ("bucket", "S3 bucket for the frontend")]]  # fmt: skip
    steps[0]["state"] = "running"
    operation = Operation.objects.create(tenant=shop, project=project, action=Operation.Action.PROVISION,
                                         state=Operation.State.RUNNING, steps=steps)  # fmt: skip
    polls = []
    page.on("request", lambda r: r.headers.get("hx-request") and polls.append(r.url))
    _login(page, live_server.url, owner.email)
    page.goto(f"{live_server.url}/projects/{project.pk}/application/")
    line = page.locator("#project-status-line")
    expect(line).to_have_text("Application: no application. Provision running, step 1 of 2: Execution role.")
    line.evaluate("el => { el.dataset.kept = 'yes'; }")
    assert page.locator("#project-status").get_attribute("aria-live") is None  # the panel is not read out

    link = page.get_by_role("link", name="Go to Infrastructure")
    while not link.evaluate("a => a === document.activeElement"):
        page.keyboard.press("Tab")
    steps[0]["state"], steps[1]["state"] = "done", "running"
    Operation.objects.filter(pk=operation.pk).update(steps=steps)
    expect(line).to_have_text(
        "Application: no application. Provision running, step 2 of 2: S3 bucket for the frontend."
    )
    page.wait_for_timeout(2500)  # one more poll with nothing new
    assert len(polls) >= 2
    expect(link).to_be_focused()
    expect(line).to_have_attribute("data-kept", "yes")

    Operation.objects.filter(pk=operation.pk).update(state=Operation.State.SUCCEEDED)
    Project.objects.filter(pk=project.pk).update(infra_state=Project.InfraState.FAILED)
    expect(page.locator("#project-status [data-live]")).to_have_attribute("data-live", "done")
    expect(line).to_have_text("Application: no application.")
    asked = len(polls)
    page.wait_for_timeout(2500)
    assert len(polls) == asked, "the page still asks after the work is done"


def test_every_browser_test_scans_a_page_before_acting_on_it_again(page, live_server, world):
    """The shared fixture's check, which every browser test gets: a page is scanned before the test's
    next action on it, and what axe finds fails the test (here taken out, so this one passes)."""
    _login(page, live_server.url, world["owner"].email)
    page.goto(f"{live_server.url}/stock/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=unlabelled>')")
    page.goto(f"{live_server.url}/")  # leaving the page scans it as the test left it
    found = axe_flush(page.context.browser)
    assert [(p["url"], v["id"]) for p in found for v in p["violations"]] == [("/stock/", "label")]
    assert "#unlabelled" in found[0]["violations"][0]["nodes"][0]["target"]
