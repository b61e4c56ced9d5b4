"""Fixtures of the tenants tests."""

import pytest
from django.core import mail
from django.urls import reverse

from apps.tenants.models import Invitation

EMAIL = "karan@example.in"


@pytest.fixture
def invited(owner_client, django_capture_on_commit_callbacks):
    """Invite through the page; the invitation and the path of the link in its e-mail."""
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(reverse("tenants:invitation_create"), {"email": EMAIL, "role": "admin"})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/invitations/" in line)
    return Invitation.objects.get(email=EMAIL), link[link.index("/invitations/") :]
