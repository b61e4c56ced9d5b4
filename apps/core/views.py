import secrets

from csp.constants import NONCE
from csp.decorators import csp_update
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import FileSystemStorage, storages
from django.http import Http404, HttpResponseNotFound, HttpResponseServerError, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from drf_spectacular.views import SpectacularSwaggerView

from apps.core.api.errors import NOT_FOUND, SERVER_ERROR, error_body
from apps.core.files import private_file_from_token, private_file_response, stored_file_response
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
    """A signed link's file, for the user it was made for while they still belong to its tenant."""
    tenant_ids = {membership.tenant_id for membership in request.memberships}
    try:
        data = private_file_from_token(token, user_id=request.user.pk, tenant_ids=tenant_ids)
    except signing.BadSignature:
        raise Http404("This link has expired or is not for you. Go back and open the file again.") from None
    return private_file_response(storages[data["a"]], data["n"], filename=data["f"])


@require_GET
def public_media_view(request, path: str):
    """Public files (shop logos) when they are kept on local disk rather than in an S3 bucket."""
    storage = storages["public"]
    if not isinstance(storage, FileSystemStorage):
        raise Http404("Public files are served from their bucket.")
    return stored_file_response(storage, path, public=True)


# Swagger UI starts from one inline script, rendered with the schema's URL and the CSRF header name;
# it and the page's inline style carry this request's nonce, so the docs keep the site's policy
# without 'unsafe-inline'. Swagger UI draws its icons from data: URIs.
api_docs_view = csp_update({"script-src": [NONCE], "style-src": [NONCE], "img-src": ["data:"]})(
    SpectacularSwaggerView.as_view(url_name="schema", template_name="api/swagger_ui.html")
)


def server_error_view(request):
    """The 500 page, with the request id a user can quote to support. Renders nothing that can fail."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(*SERVER_ERROR), status=500)
    # The page needs nothing that could fail in turn (no static files), so its style is inline,
    # allowed by a nonce of its own; no script may run on it at all.
    nonce = secrets.token_urlsafe(16)
    template = loader.get_template("500.html")
    response = HttpResponseServerError(
        template.render({"request_id": getattr(request, "id", ""), "style_nonce": nonce})
    )
    response["Content-Security-Policy"] = f"default-src 'none'; style-src 'nonce-{nonce}'; base-uri 'none'"
    return response


def not_found_view(request, exception=None):
    """404: JSON in the API's error shape under /api/, the friendly page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(*NOT_FOUND), status=404)
    return HttpResponseNotFound(loader.render_to_string("404.html", request=request))
