"""The main journeys in real headless Chromium against a live server."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.tenants.models import Membership, Role, Tenant
from apps.tenants.services import tenant_create
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, email, password=PASSWORD):
    page.goto(f"{base}/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_sign_up_and_land_on_the_dashboard(page, live_server):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Priya Shah")
    page.get_by_label("E-mail address").fill("priya@shah-jewels.in")
    page.get_by_label("Password", exact=True).fill("gold-rush-2026!")
    page.get_by_label("Password again").fill("gold-rush-2026!")
    page.get_by_label("Jewellery shop").check()
    page.get_by_label("Shop or workspace name").fill("Shah Jewels")
    page.get_by_label("State").select_option("24")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{live_server.url}/signup/sent/")
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    assert Tenant.objects.get().state_code == "24"
    _login(page, live_server.url, "priya@shah-jewels.in", "gold-rush-2026!")
    expect(page.get_by_role("heading", name="Shah Jewels")).to_be_visible()


def test_signup_mistake_is_shown_next_to_the_field(page, live_server):
    page.goto(f"{live_server.url}/signup/")
    page.get_by_label("Your name").fill("Priya")
    page.get_by_label("E-mail address").fill("priya@example.in")
    page.get_by_label("Password", exact=True).fill("gold-rush-2026!")
    page.get_by_label("Password again").fill("gold-rush-2026!")
    page.get_by_label("Shop or workspace name").fill("Shah Jewels")
    page.get_by_label("State").select_option("24")
    page.get_by_label("GSTIN (optional)").fill("27AAPFU0939F1ZV")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("[data-field=gstin] .error")).to_have_text(
        re.compile(r"^This GSTIN is registered in Maharashtra")
    )
    assert not Tenant.objects.exists()


def test_personal_workspace_hides_shop_fields(page, live_server):
    page.goto(f"{live_server.url}/signup/")
    expect(page.get_by_label("State")).to_be_visible()
    page.get_by_label("Personal workspace").check()
    expect(page.get_by_label("State")).to_be_hidden()
    expect(page.get_by_label("GSTIN (optional)")).to_be_hidden()


def test_invite_a_member_who_signs_up_from_the_link(browser, page, live_server):
    owner = UserFactory(email="owner@e2e.in", full_name="Omkar Owner")
    tenant = tenant_create(owner=owner, kind="shop", name="E2E Jewellers", state_code="27")
    _login(page, live_server.url, owner.email)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Team").click()
    page.get_by_label("E-mail address").fill("neha@e2e.in")
    page.get_by_label("Role", exact=True).select_option("admin")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to neha@e2e.in")).to_be_visible()
    expect(page.get_by_role("cell", name="neha@e2e.in")).to_be_visible()

    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = link[link.index("/invitations/") :]
    newcomer = browser.new_context().new_page()
    newcomer.goto(f"{live_server.url}{path}")
    expect(newcomer.get_by_role("heading", name="Join E2E Jewellers")).to_be_visible()
    newcomer.get_by_label("Your name").fill("Neha")
    newcomer.get_by_label("Password", exact=True).fill("neha-pass-2026")
    newcomer.get_by_label("Password again").fill("neha-pass-2026")
    newcomer.get_by_role("button", name="Create account and join").click()
    newcomer.wait_for_url(f"{live_server.url}/")
    expect(newcomer.get_by_role("heading", name="E2E Jewellers")).to_be_visible()
    assert Membership.objects.get(tenant=tenant, user__email="neha@e2e.in").role == Role.ADMIN

    page.reload()
    # a member, no longer invited
    expect(page.get_by_role("cell", name="neha@e2e.in", exact=True)).to_have_count(1)
    expect(page.get_by_text("Waiting for an answer")).to_have_count(0)


def test_switch_tenant_from_the_header(page, live_server):
    user = UserFactory(email="multi@e2e.in")
    tenant_create(owner=user, kind="shop", name="Alpha Gold", state_code="27")
    tenant_create(owner=user, kind="personal", name="Beta Builds")
    _login(page, live_server.url, user.email)
    heading = page.locator("h1")
    first = heading.inner_text()
    other = "Beta Builds" if first == "Alpha Gold" else "Alpha Gold"
    assert page.get_by_role("button", name="Switch").is_hidden()  # JavaScript submits on change
    page.get_by_label("Active shop or workspace").select_option(label=f"{other} · Owner")
    page.wait_for_function(f"document.querySelector('h1').innerText === '{other}'")
    expect(page.get_by_text(f"You are now working in {other}")).to_be_visible()


def test_pages_fit_a_phone_screen(browser, live_server):
    user = UserFactory(email="phone@e2e.in")
    from apps.inventory.models import Purity
    from apps.inventory.services import hallmark_batch_send, metal_rate_set, stock_item_create

    shop = tenant_create(owner=user, kind="shop", name="Phone Jewellers", state_code="27")
    purity = Purity.objects.get(karat="22K")
    metal_rate_set(tenant=shop, actor=user, purity=purity, rate_per_gram="6650.50")
    item = stock_item_create(
        tenant=shop,
        actor=user,
        name="Long temple necklace with rubies",
        purity=purity,
        gross_weight="123.456",
    )
    stock_item_create(tenant=shop, actor=user, name="Band", purity=purity, gross_weight="4", huid="PH0NE1")
    batch = hallmark_batch_send(
        tenant=shop, actor=user, centre_name="Mumbai AHC", request_number="M-1",
        sent_on=item.created_at.date(), item_ids=[item.pk],
    )  # fmt: skip
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    _login(page, live_server.url, user.email)
    stock_pages = ["/stock/", "/stock/new/", f"/stock/{item.pk}/", "/stock/batches/", "/stock/batches/new/",
                   f"/stock/batches/{batch.pk}/", "/stock/rates/", "/stock/compliance/", "/stock/import/"]  # fmt: skip
    for path in ["/", "/settings/team/", "/settings/", "/settings/audit/", *stock_pages]:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    context.close()


def test_add_an_article_find_it_by_huid_and_send_pending_stock_for_hallmarking(page, live_server):
    from apps.inventory.models import HallmarkBatch, StockItem

    owner = UserFactory(email="owner@stock-e2e.in", full_name="Sunita Soni")
    tenant = tenant_create(owner=owner, kind="shop", name="Soni Jewellers", state_code="08")
    _login(page, live_server.url, owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Stock & HUID").click()
    page.get_by_role("link", name="Add your first article").click()

    page.get_by_label("Name").fill("Rani haar")
    page.get_by_label("Purity").select_option(label="22K916")
    page.get_by_label("Gross weight (g)").fill("42.5")
    page.get_by_label("Stone weight (g)").fill("2.25")
    page.get_by_label("Ready for sale").check()
    page.get_by_role("button", name="Add to stock").click()
    # The sale rule is explained beside the HUID box, and nothing was saved.
    expect(page.locator("[data-field=huid] .error")).to_contain_text("needs its HUID before it can be sold")
    assert not StockItem.objects.exists()
    page.get_by_label("HUID").fill("rh42k9")
    page.get_by_role("button", name="Add to stock").click()
    page.wait_for_url(re.compile(r"/stock/\d+/$"))
    expect(page.get_by_text("40.250 g", exact=True)).to_be_visible()

    page.goto(f"{live_server.url}/stock/new/")
    page.get_by_label("Name").fill("Plain band")
    page.get_by_label("Purity").select_option(label="22K916")
    page.get_by_label("Gross weight (g)").fill("6")
    page.get_by_role("button", name="Add to stock").click()
    page.wait_for_url(re.compile(r"/stock/\d+/$"))

    # Searching swaps the rows in place (htmx) and keeps the filter in the address.
    page.get_by_role("link", name="Stock", exact=True).click()
    page.get_by_label("Search").fill("RH42K9")
    rows = page.locator("#stock-rows tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("Rani haar")
    page.wait_for_function("location.search.includes('q=RH42K9')")

    page.get_by_role("link", name="Hallmarking batches").click()
    page.get_by_role("link", name="Send a batch").click()
    page.get_by_label("Hallmarking centre").fill("Jaipur AHC")
    page.get_by_label("Request number").fill("JP-9")
    page.get_by_label("Choose all").check()
    page.get_by_role("button", name="Record the batch as sent").click()
    page.wait_for_url(re.compile(r"/stock/batches/\d+/$"))
    page.get_by_label(re.compile("HUID of")).fill("pb6k01")
    page.get_by_role("button", name="Save HUIDs and mark received").click()
    expect(page.get_by_text("received: 1 of 1 hallmarked")).to_be_visible()
    band = StockItem.objects.for_tenant(tenant).get(name="Plain band")
    assert band.huid == "PB6K01" and band.hallmark_status == "hallmarked"
    assert HallmarkBatch.objects.for_tenant(tenant).get().status == "received"


@pytest.mark.worker
def test_project_tabs_with_a_real_worker(page, live_server, tmp_path, moto_server):
    """Create, provision, deploy, preview, purge, destroy, provision again and delete from the two tabs;
    a worker process does the AWS work on the emulator."""
    from apps.provisioning.models import Project
    from tests.workers import running_worker

    builder = UserFactory(email="builder@e2e.in", full_name="Bhavna Builder")
    tenant_create(owner=builder, kind="personal", name="Bhavna's builds")
    page.on("dialog", lambda dialog: dialog.accept())
    with running_worker(tmp_path, extra_env={"AWS_ENDPOINT_URL": moto_server}):
        _login(page, live_server.url, builder.email)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
        page.get_by_label("Project name").fill("Wedding invite")
        page.get_by_role("button", name="Create project").click()
        page.get_by_role("button", name=re.compile(r"^Provision")).click()
        # The page polls while the worker provisions; the countdown appears once it is deployed.
        expect(page.get_by_text("Destroyed automatically at")).to_be_visible(timeout=60_000)
        expect(page.locator("#project-status .badge-res-created")).to_have_count(5)

        page.get_by_role("link", name="Application").click()
        page.get_by_role("button", name="Deploy").click()
        expect(page.locator("#project-status dt", has_text="Site")).to_be_visible(timeout=60_000)
        # The emulator serves no website: Tijori previews the site's files, and says the API is out of reach.
        expect(page.locator("#project-status")).to_contain_text("Not reachable on this server")
        with page.context.expect_page() as opened:
            page.get_by_role("link", name="Preview", exact=True).click()
        preview = opened.value
        expect(preview.get_by_role("heading", name="Your Tijori starter app")).to_be_visible()
        # Its stylesheet came through the preview too.
        expect(preview.locator("body")).to_have_css("font-family", re.compile("system-ui"))
        preview.close()
        page.get_by_role("link", name="Infrastructure").click()
        expect(page.get_by_text("purge it before destroying")).to_be_visible()
        page.get_by_role("button", name="Purge application first").click()
        expect(page.get_by_role("button", name="Destroy")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Destroy").click()
        expect(page.locator("#project-status .badge-state-destroyed")).to_be_visible(timeout=60_000)
        # A destroyed project can be built again, then deleted once destroyed again.
        page.get_by_role("button", name=re.compile(r"^Provision again")).click()
        expect(page.get_by_text("Destroyed automatically at")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Destroy").click()
        expect(page.locator("#project-status .badge-state-destroyed")).to_be_visible(timeout=60_000)
        page.get_by_role("button", name="Delete project").click()
        expect(page.get_by_text("Project Wedding invite was deleted.")).to_be_visible()
        expect(page.get_by_role("link", name="Wedding invite")).to_have_count(0)
    project = Project.objects.get(name="Wedding invite")
    assert project.infra_state == "deleted" and project.app_state == "none"
    assert project.operations.count() == 6 and project.resources.count() == 10


def test_owner_connects_their_aws_account_and_a_stack_is_built_there(
    page, live_server, tmp_path, moto_server
):
    """The owner registers a role; a worker process checks it while the page polls; the next stack goes there."""
    from apps.provisioning.models import Project, TenantAwsAccount
    from tests.provisioning.conftest import create_execution_boundary
    from tests.workers import running_worker

    owner = UserFactory(email="owner@e2e-aws.in", full_name="Anil Owner")
    tenant_create(owner=owner, kind="personal", name="Anil's builds")
    page.on("dialog", lambda dialog: dialog.accept())
    with running_worker(tmp_path, extra_env={"AWS_ENDPOINT_URL": moto_server}):
        _login(page, live_server.url, owner.email)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Projects").click()
        expect(page.get_by_text("New stacks go to Tijori's AWS account.")).to_be_visible()
        page.get_by_role("link", name="Use your own AWS account").click()
        page.get_by_role("button", name="Start: show me the role to create").click()
        external_id = TenantAwsAccount.objects.get(tenant__name="Anil's builds").external_id
        expect(page.locator("#trust-policy")).to_contain_text(external_id)
        # Step 1: the owner creates the boundary policy shown, under the name shown, in their account.
        expect(page.locator("#boundary-name")).to_have_text("tijori-local-execution-boundary")
        expect(page.locator("#boundary-policy")).to_contain_text('"Sid": "OwnTable"')
        create_execution_boundary("arn:aws:iam::444455556666:role/TijoriAccess")
        page.get_by_label("Role ARN").fill("arn:aws:iam::444455556666:role/TijoriAccess")
        page.get_by_role("button", name="Save and check").click()
        # The status card polls until the worker has assumed the role.
        expect(page.locator("#aws-account-status .badge-account-verified")).to_be_visible(timeout=60_000)
        expect(page.locator("#aws-account-status")).to_contain_text("your AWS account 444455556666")

        page.get_by_role("link", name="Projects").first.click()
        page.get_by_label("Project name").fill("In my account")
        page.get_by_role("button", name="Create project").click()
        expect(page.get_by_text("in your AWS account 444455556666")).to_be_visible()
        page.get_by_role("button", name=re.compile(r"^Provision")).click()
        expect(page.get_by_text("Destroyed automatically at")).to_be_visible(timeout=60_000)
        expect(page.locator("#project-status")).to_contain_text(
            "arn:aws:lambda:ap-south-1:444455556666:function:"
        )
    project = Project.objects.get(name="In my account")
    assert project.infra_state == "deployed" and project.own_account_id == "444455556666"
