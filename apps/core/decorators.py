"""View decorators shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect


def post_only(page: str, *kwarg_names: str) -> Callable:
    """A form's target that only a POST changes anything through; a GET goes back to `page`.

    A browser reloads the address a form was posted to (or offers it from history) with a GET; the
    answer is the page the form sits on, not a blank 405. `kwarg_names` are the URL arguments of the
    view that `page` takes too (for example the article's id). Other methods are still refused.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            if request.method in ("GET", "HEAD"):
                return redirect(page, **{name: kwargs[name] for name in kwarg_names})
            return HttpResponseNotAllowed(["POST"])

        wrapper.post_only_page = page
        wrapper.post_only_arguments = kwarg_names
        return wrapper

    return decorator
