from apps.core.exceptions import ApplicationError


class BatchStateError(ApplicationError):
    code = "batch_state"
