"""Super admins edit plans and act on contracts here; every change goes through a service.

A contract's page is read-only, with its history below. Its "Manage" page records a renewal paid
outside the checkout (a payment with its reference, and Tijori's invoice for it), extends, gives a complimentary period, changes the plan, suspends and resumes,
each with a reason: the services check the transition, write the contract's event and the audit
event naming the super admin. Payments, orders, Tijori's own invoices and Razorpay's events are read
here; an invoice is reversed by a credit note, with a reason.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from apps.billing import services
from apps.billing.forms import CONTRACT_FORMS, PLAN_FIELDS, PlanAdminForm, PlatformCreditNoteForm
from apps.billing.models import (
    BillingOrder,
    BillingPayment,
    Contract,
    ContractEvent,
    Plan,
    PlatformInvoice,
    PlatformSeries,
    Reminder,
    WebhookEvent,
)
from apps.core.admin import ReadOnlyAdmin, ReadOnlyInline
from apps.core.files import private_file_response
from apps.core.forms import form_submit
from apps.core.money import inr
from apps.invoicing.services import invoice_pdf_name

LATEST_EVENTS = 10  # on the Manage page; the contract's page lists them all

# Each form of the Manage page: the event it records, its heading, and what the message says once done.
FORM_ACTIONS = {
    "renew": ContractEvent.Action.RENEWED,
    "extend": ContractEvent.Action.EXTENDED,
    "comp": ContractEvent.Action.COMPED,
    "plan": ContractEvent.Action.PLAN_CHANGED,
    "suspend": ContractEvent.Action.SUSPENDED,
    "resume": ContractEvent.Action.RESUMED,
}
FORM_TITLES = {
    "renew": "Record a renewal paid offline",
    "extend": "Extend the current period",
    "comp": "Give a complimentary period",
    "plan": "Change the plan",
    "suspend": "Suspend",
    "resume": "Resume",
}
DONE = {
    "renew": "Renewal recorded",
    "extend": "Extended",
    "comp": "Complimentary period given",
    "plan": "Plan changed",
    "suspend": "Suspended",
    "resume": "Resumed",
}
NEEDS_A_PERIOD = {"renew", "extend", "comp"}


def _offered(contract: Contract, name: str) -> bool:
    """Whether the Manage page offers a form: the contract's state allows its action (the service checks
    again), a free plan has no period to act on, and a plan change needs another plan to go to."""
    if (contract.state, FORM_ACTIONS[name]) not in services.TRANSITIONS:
        return False
    if name in NEEDS_A_PERIOD and contract.period_kind == Contract.PeriodKind.FREE:
        return False
    if name == "plan":
        return (
            Plan.objects.filter(for_kind=contract.tenant.kind, is_active=True)
            .exclude(pk=contract.plan_id)
            .exists()
        )
    return True


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Plans are platform data: super admins add and change them; none is ever deleted."""

    form = PlanAdminForm
    list_display = [
        "name",
        "for_kind",
        "price",
        "trial_days",
        "grace_days",
        "default",
        "offered",
        "contracts",
    ]
    list_filter = ["for_kind", "is_active"]
    readonly_fields = ["quotas", "created_at", "updated_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(contract_count=Count("contracts"))

    def get_readonly_fields(self, request, obj=None):
        # The code names the plan in contracts' histories: fixed once the plan exists.
        return [*self.readonly_fields, "code"] if obj is not None else self.readonly_fields

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return False  # contracts keep their plan; a plan no longer offered is made inactive

    @admin.display(description="Price a year", ordering="yearly_price")
    def price(self, plan: Plan) -> str:
        return "Free" if plan.is_free else inr(plan.yearly_price)

    @admin.display(description="Default", boolean=True, ordering="is_default")
    def default(self, plan: Plan) -> bool:
        return plan.is_default

    @admin.display(description="Offered", boolean=True, ordering="is_active")
    def offered(self, plan: Plan) -> bool:
        return plan.is_active

    @admin.display(description="Contracts", ordering="contract_count")
    def contracts(self, plan: Plan) -> int:
        return plan.contract_count

    @admin.display(description="Provisioning quotas")
    def quotas(self, plan: Plan) -> str:
        url = reverse("admin:provisioning_tenantquota_changelist")
        return format_html(
            "Not set by the plan: the platform's defaults apply to every workspace unless a "
            '<a href="{}">tenant quota</a> overrides them for one.',
            url,
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.plan_save(
            actor=request.user,
            plan=obj if change else None,
            code=obj.code,
            **{name: data[name] for name in PLAN_FIELDS if name != "code"},
        )
        obj.pk, obj.created_at, obj.updated_at = saved.pk, saved.created_at, saved.updated_at


class ContractEventInline(ReadOnlyInline):
    model = ContractEvent
    fk_name = "contract"
    verbose_name_plural = "history"
    fields = ["created_at", "action", "from_state", "to_state", "caused_by", "reason", "details"]
    readonly_fields = fields


class ReminderInline(ReadOnlyInline):
    """The shop's e-mail log: each AMC reminder, to whom, and whether it went out."""

    model = Reminder
    fk_name = "contract"
    verbose_name_plural = "reminders e-mailed"
    fields = ["due_on", "kind", "period_end", "state", "recipients_list", "sent_at", "attempts", "error"]
    readonly_fields = fields

    @admin.display(description="To")
    def recipients_list(self, reminder: Reminder) -> str:
        return ", ".join(reminder.recipients) or "—"


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    """Read-only: a contract moves only through its services. "Manage" opens the actions."""

    list_display = ["tenant", "plan", "state", "period_kind", "period_end", "grace_until", "manage"]
    list_filter = ["state", "period_kind", "plan"]
    search_fields = ["tenant__name", "tenant__slug"]
    list_select_related = ["tenant", "plan"]
    fields = [
        "tenant", "plan", "state", "period_kind", "period_start", "period_end", "grace_until", "period_price",
        "suspended_from_state", "manage", "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = fields
    inlines = [ContractEventInline, ReminderInline]

    @admin.display(description="Actions")
    def manage(self, contract: Contract) -> str:
        return format_html(
            '<a href="{}">Manage</a>', reverse("admin:billing_contract_manage", args=[contract.pk])
        )

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/manage/", view(self.manage_view), name="billing_contract_manage"),
            *super().get_urls(),
        ]

    def _contract_form(self, action: str, contract: Contract, data=None):
        kwargs = {"contract": contract} if action == "plan" else {}
        return CONTRACT_FORMS[action](data, prefix=action, **kwargs)

    def _call(self, action: str, contract: Contract, user):
        """The service an action's form calls, given its cleaned data."""
        calls = {
            "renew": lambda d: services.billing_payment_record(
                contract=contract, actor=user, method=d["method"], reference=d["reference"],
                paid_on=d["paid_on"], amount=d["amount"], reason=d["reason"],
            ),
            "extend": lambda d: services.contract_extend(
                contract=contract, days=d["days"], reason=d["reason"], actor=user
            ),
            "comp": lambda d: services.contract_comp(
                contract=contract, until=d["until"], reason=d["reason"], actor=user
            ),
            "plan": lambda d: services.contract_plan_change(
                contract=contract, plan=d["plan"], reason=d["reason"], actor=user
            ),
            "suspend": lambda d: services.contract_suspend(contract=contract, reason=d["reason"], actor=user),
            "resume": lambda d: services.contract_resume(contract=contract, reason=d["reason"], actor=user),
        }  # fmt: skip
        return calls[action]

    def manage_view(self, request, object_id: str):
        """The contract's standing and one form per action; a refused action is shown on its form."""
        if not request.user.is_superuser:
            raise PermissionDenied("Only a super admin can change an AMC.")
        contract = self.get_object(request, unquote(object_id))
        if contract is None:
            raise Http404("No such contract.")
        action = request.POST.get("action", "") if request.method == "POST" else ""
        if request.method == "POST" and action not in CONTRACT_FORMS:
            raise Http404("No such action.")
        bound = self._contract_form(action, contract, request.POST) if action else None
        if bound is not None and form_submit(bound, self._call(action, contract, request.user)):
            messages.success(request, f"{DONE[action]}: the AMC of {contract.tenant.name}.")
            return redirect("admin:billing_contract_manage", contract.pk)
        contract.refresh_from_db()
        forms = {
            name: bound if name == action else self._contract_form(name, contract)
            for name in CONTRACT_FORMS
            if name == action or _offered(contract, name)
        }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": contract,
            "title": f"AMC of {contract.tenant.name}",
            "contract_forms": [(name, FORM_TITLES[name], form) for name, form in forms.items()],
            "days_left": contract.days_left(services.today_local()),
            "events": contract.events.all()[:LATEST_EVENTS],
            "latest_events": LATEST_EVENTS,
        }
        status = 422 if bound is not None else 200
        return TemplateResponse(request, "admin/billing/contract/manage.html", context, status=status)


# --- payments, the platform's invoices, Razorpay's events: read-only; credit notes through a service ------


@admin.register(BillingOrder)
class BillingOrderAdmin(ReadOnlyAdmin):
    """Online attempts to renew: what was asked, and where each stands."""

    list_display = ["gateway_order_id", "tenant", "amount", "status", "attempts", "created_at", "paid_at"]
    list_filter = ["status"]
    search_fields = ["gateway_order_id", "receipt", "tenant__name"]
    list_select_related = ["tenant"]


@admin.register(BillingPayment)
class BillingPaymentAdmin(ReadOnlyAdmin):
    """Every AMC payment, online or recorded by a super admin (on a contract's Manage page); kept as written."""

    list_display = [
        "paid_on",
        "tenant",
        "method",
        "amount",
        "gateway_payment_id",
        "reference",
        "renewed",
        "caused_by",
    ]
    list_filter = ["method", "paid_on"]
    search_fields = ["gateway_payment_id", "reference", "tenant__name"]
    list_select_related = ["tenant"]

    @admin.display(description="Renewed", boolean=True)
    def renewed(self, payment: BillingPayment) -> bool:
        return payment.renewal_id is not None  # a second payment of a paid order renews nothing: refund it


@admin.register(PlatformInvoice)
class PlatformInvoiceAdmin(ReadOnlyAdmin):
    """Tijori's own invoices and credit notes. A refund or a void is a credit note ("Credit note" on the
    invoice's page, with a reason); nothing issued is ever changed or deleted."""

    list_display = ["number", "doc_type", "tenant", "issued_on", "total", "place_of_supply", "actions_links"]
    list_filter = ["doc_type", "issued_on"]
    search_fields = ["number", "tenant__name", "buyer_gstin"]
    list_select_related = ["tenant"]
    exclude = ["pdf"]
    readonly_fields = ["actions_links"]

    @admin.display(description="Actions")
    def actions_links(self, invoice: PlatformInvoice) -> str:
        pdf = reverse("admin:billing_platforminvoice_pdf", args=[invoice.pk])
        if invoice.is_credit_note:
            return format_html('<a href="{}">PDF</a>', pdf)
        credit = reverse("admin:billing_platforminvoice_credit_note", args=[invoice.pk])
        return format_html('<a href="{}">PDF</a> · <a href="{}">Credit note</a>', pdf, credit)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/credit-note/",
                view(self.credit_note_view),
                name="billing_platforminvoice_credit_note",
            ),
            path("<path:object_id>/pdf/", view(self.pdf_view), name="billing_platforminvoice_pdf"),
            *super().get_urls(),
        ]

    def _invoice(self, request, object_id: str) -> PlatformInvoice:
        invoice = self.get_object(request, unquote(object_id))
        if invoice is None:
            raise Http404("No such invoice.")
        return invoice

    def pdf_view(self, request, object_id: str):
        invoice = self._invoice(request, object_id)
        pdf = services.platform_invoice_pdf_store(tenant=invoice.tenant, invoice=invoice).pdf
        return private_file_response(pdf.storage, pdf.name, filename=invoice_pdf_name(invoice))

    def credit_note_view(self, request, object_id: str):
        """Ask for the reason, then reverse the invoice with a credit note (refused ones show on the form)."""
        if not request.user.is_superuser:
            raise PermissionDenied("Only a super admin can issue a credit note.")
        invoice = self._invoice(request, object_id)
        form = PlatformCreditNoteForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form_submit(
            form,
            lambda d: services.platform_credit_note_issue(
                invoice=invoice, actor=request.user, reason=d["reason"]
            ),
        ):
            messages.success(request, f"Credit note issued: {invoice.number} is reversed.")
            return redirect("admin:billing_platforminvoice_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": invoice,
            "title": f"Credit note reversing {invoice.number}",
            "form": form,
        }
        status = 422 if form.is_bound else 200
        return TemplateResponse(
            request, "admin/billing/platforminvoice/credit_note.html", context, status=status
        )


@admin.register(PlatformSeries)
class PlatformSeriesAdmin(ReadOnlyAdmin):
    list_display = ["code", "doc_type", "fy_start_year", "number_format", "next_number"]


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    """Each event Razorpay sent, once, with what it did: a refused one names the payment to look at."""

    list_display = ["received_at", "event_type", "gateway_order_id", "outcome", "detail"]
    list_filter = ["event_type", "outcome"]
    search_fields = ["event_id", "gateway_order_id"]


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdmin):
    """Every shop's AMC reminder e-mails, written only by the daily job: what was due, to whom, and
    whether it went out (a failed one says why)."""

    list_display = ["due_on", "tenant", "kind", "state", "recipients_list", "sent_at", "attempts"]
    list_filter = ["state", "kind"]
    search_fields = ["tenant__name", "tenant__slug"]
    list_select_related = ["tenant"]
    fields = [
        "tenant", "contract", "kind", "period_end", "due_on", "state", "recipients_list", "subject", "sent_at",
        "attempts", "error", "created_at", "updated_at",
    ]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="To")
    def recipients_list(self, reminder: Reminder) -> str:
        return ", ".join(reminder.recipients) or "—"
