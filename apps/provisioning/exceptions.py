from apps.core.exceptions import ApplicationError


class TransitionRefused(ApplicationError):
    """The project is not in a state that allows this action (answers 409 in the API)."""

    code = "transition_refused"


class QuotaExceeded(ApplicationError):
    """Adding this would break one of the workspace's limits (answers 409 with `quota_*` codes).

    A refusal of the workspace's plan, not bad input: integrations can tell the two apart by status.
    """

    code = "quota_exceeded"


class AwsError(Exception):
    """A failure at the AWS boundary; `message` is a sentence a shop owner can read."""

    def __init__(self, message: str) -> None:
        super().__init__(message)  # the one argument, so Celery can pickle it into a result
        self.message = message

    def __str__(self) -> str:
        return self.message


class AwsTransientError(AwsError):
    """AWS could not answer just now (throttling, a 5xx, the network): the task retries later."""


class AwsTerminalError(AwsError):
    """AWS refused in a way retrying can't fix: the operation fails with `message` on its row."""


class IamNotReady(AwsTransientError):
    """Lambda can't assume a role IAM has only just created (eventual consistency): retry shortly."""


class StepFailed(AwsTerminalError):
    """A step found something it can't fix by retrying (a name taken by another account, say)."""


class LeaseHeld(Exception):
    """Another delivery holds the operation's lease: try again once it has run out.

    After a worker dies mid-run the broker redelivers its task at once (acks_late with
    reject-on-worker-lost), while the dead worker's lease still looks live; waiting the lease out,
    then taking over, is what makes the redelivery finish the work without two workers at it.
    """

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds

    def __str__(self) -> str:
        return f"lease held for {self.seconds:.0f} s more"
