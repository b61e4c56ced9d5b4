from apps.core.exceptions import ApplicationError


class BatchStateError(ApplicationError):
    code = "batch_state"


class StockItemInUse(ApplicationError):
    code = "stock_item_in_use"


class StockImportAlreadyRun(ApplicationError):
    code = "stock_import_already_run"
