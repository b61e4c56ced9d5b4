from apps.core.exceptions import ApplicationError


class LastOwnerError(ApplicationError):
    """The team's state refuses it (answers 409): someone else must be an owner first."""

    code = "last_owner"


class RoleNotAllowedError(ApplicationError):
    """The actor's role may not do this (answers 403), whatever the state of the team."""

    code = "role_not_allowed"
    status_code = 403


class InvitationError(ApplicationError):
    code = "invitation_invalid"


class AlreadyMemberError(ApplicationError):
    code = "already_member"


class ApiKeyInvalid(ApplicationError):
    code = "api_key_invalid"


class GstinReviewError(ApplicationError):
    """A super admin's verification of a GSTIN is refused by the shop's state or by another shop's (409)."""

    code = "gstin_review"
