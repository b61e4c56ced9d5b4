from apps.core.exceptions import ApplicationError


class InvoiceNotDraft(ApplicationError):
    """The invoice is issued or cancelled: it can no longer be edited or discarded (409)."""

    code = "invoice_not_draft"


class InvoiceNotIssued(ApplicationError):
    """The action needs an issued invoice: cancelling, paying, a PDF (409)."""

    code = "invoice_not_issued"


class ArticleNotForSale(ApplicationError):
    """The article is sold, on another invoice, or can't be sold yet (409)."""

    code = "article_not_for_sale"


class NoteNotAllowed(ApplicationError):
    """A credit or debit note the law or the invoice does not allow: against a draft or cancelled
    invoice, past the s.34 deadline, crediting more than was billed, an article returned twice (409)."""

    code = "note_not_allowed"


class EInvoiceNotReady(ApplicationError):
    """The IRP would refuse the document (or has it already): `problems` lists why, each to act on (409)."""

    code = "einvoice_not_ready"

    def __init__(self, message: str, problems: list[str]):
        self.problems = problems
        super().__init__(message, extra={"problems": problems})


class EInvoiceImportRefused(ApplicationError):
    """An answer file the shop's documents do not match: `problems` names each answer refused; nothing
    was recorded (400)."""

    code = "einvoice_import_refused"
    status_code = 400

    def __init__(self, message: str, problems: list[str]):
        self.problems = problems
        super().__init__(message, extra={"problems": problems})


class EInvoiceNotCancellable(ApplicationError):
    """The IRN is cancelled already, or past the IRP's 24 hours, or its document can't be cancelled (409)."""

    code = "einvoice_not_cancellable"


class IrpNotConnected(ApplicationError):
    """No IRP connection is set up for the shop: e-invoices go through the portal's bulk upload (409)."""

    code = "irp_not_connected"
