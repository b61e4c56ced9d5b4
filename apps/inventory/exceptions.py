from apps.core.exceptions import ApplicationError


class BatchStateError(ApplicationError):
    code = "batch_state"


class StockItemInUse(ApplicationError):
    code = "stock_item_in_use"


class StockImportAlreadyRun(ApplicationError):
    code = "stock_import_already_run"


class StockImportNotRun(ApplicationError):
    """A clean file's automatic run was refused (the stock changed since the check); the check stays."""

    code = "stock_import_not_run"

    def __init__(self, message: str, *, stock_import) -> None:
        super().__init__(message, extra={"import_id": stock_import.pk})
        self.stock_import = stock_import
