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
