import mimetypes

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponseNotFound, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.static import serve

from apps.core.files import private_file_from_token
from apps.core.health import CHECKS, run_checks


@never_cache
@require_GET
def health_view(request, component: str | None = None):
    """All checks, or one of them; 200 when up, 503 naming what is down. No authentication."""
    if component is not None and component not in CHECKS:
        raise Http404("No such health check.")
    healthy, results = run_checks([component] if component else list(CHECKS))
    body = {"status": "ok" if healthy else "error", **results}
    if not healthy:
        body["failing"] = [name for name, value in results.items() if value != "connected"]
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def health_live_view(request):
    """The process answers; touches nothing else (for container liveness probes)."""
    return JsonResponse({"status": "ok"})


@require_GET
@login_required
def private_file_view(request, token: str):
    try:
        data = private_file_from_token(token, user_id=request.user.pk)
    except signing.BadSignature:
        raise Http404("This link has expired or is not for you. Go back and open the file again.") from None
    storage = storages[data["a"]]
    if not storage.exists(data["n"]):
        raise Http404("The file is no longer there.")
    content_type = mimetypes.guess_type(data["n"])[0] or "application/octet-stream"
    response = FileResponse(
        storage.open(data["n"], "rb"),
        content_type=content_type,
        as_attachment=bool(data["f"]),
        filename=data["f"] or None,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def public_media_view(request, path: str):
    """Public files (shop logos) when they are kept on local disk rather than in an S3 bucket."""
    storage = storages["public"]
    if not isinstance(storage, FileSystemStorage):
        raise Http404("Public files are served from their bucket.")
    return serve(request, path, document_root=storage.location)


def server_error_view(request):
    """The 500 page, with the request id a user can quote to support. Renders nothing that can fail."""
    if request.path.startswith("/api/"):
        body = {
            "code": "server_error",
            "message": "Something went wrong on our side. Please try again.",
            "fields": {},
        }
        return JsonResponse(body, status=500)
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": getattr(request, "id", "")}))


def not_found_view(request, exception=None):
    """404: JSON in the API's error shape under /api/, the friendly page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "message": "Not found.", "fields": {}}, status=404)
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))
