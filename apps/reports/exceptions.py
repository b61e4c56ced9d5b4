"""What the export machinery refuses, each answered the same way on pages and in the API."""

from apps.core.exceptions import ApplicationError


class ExportNotOffered(ApplicationError):
    """The workspace cannot export this at all: GST returns are a shop's (409)."""

    code = "export_not_offered"


class ExportNotReady(ApplicationError):
    """The export has no file to hand out: still being built, refused or failed (409)."""

    code = "export_not_ready"


class ExportExpired(ApplicationError):
    """The export's file has been removed after its week (410): the record stays, the file is gone."""

    code = "export_expired"
    status_code = 410


class ExportTakenOver(Exception):
    """Another delivery of the build task has claimed the export since this build started: this one
    stops and drops its file. Never shown to anyone."""
