from apps.core.exceptions import ApplicationError


class InvoiceNotDraft(ApplicationError):
    """The invoice is issued or cancelled: it can no longer be edited or discarded (409)."""

    code = "invoice_not_draft"


class InvoiceNotIssued(ApplicationError):
    """Only an issued invoice can be cancelled (409)."""

    code = "invoice_not_issued"


class ArticleNotForSale(ApplicationError):
    """The article is sold, on another invoice, or can't be sold yet (409)."""

    code = "article_not_for_sale"
