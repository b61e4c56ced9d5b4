from apps.core.exceptions import ApplicationError


class LastOwnerError(ApplicationError):
    code = "last_owner"


class RoleNotAllowedError(ApplicationError):
    code = "role_not_allowed"


class InvitationError(ApplicationError):
    code = "invitation_invalid"


class AlreadyMemberError(ApplicationError):
    code = "already_member"


class ApiKeyInvalid(ApplicationError):
    code = "api_key_invalid"
