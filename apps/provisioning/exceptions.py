from apps.core.exceptions import ApplicationError


class TransitionRefused(ApplicationError):
    """The project is not in a state that allows this action (answers 409 in the API)."""

    code = "transition_refused"
