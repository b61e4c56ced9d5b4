import re

import pytest

from apps.tenants import services, tasks
from apps.tenants.models import Invitation, Membership
from tests.workers import running_worker, wait_for


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_invitation_email_is_sent_by_a_real_worker_process(tenant, owner, tmp_path):
    """The service enqueues on commit; a separate worker process loads the row and sends the e-mail."""
    mail_dir = tmp_path / "mail"
    extra = {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    with running_worker(tmp_path, extra_env=extra):
        me = Membership.objects.get(tenant=tenant, user=owner)
        invitation = services.invitation_create(
            tenant=tenant, actor=owner, actor_membership=me, email="worker-test@example.in", role="staff"
        )
        wait_for(lambda: mail_dir.exists() and any(mail_dir.iterdir()), 60, "no e-mail was written", tmp_path)
    message = next(mail_dir.iterdir()).read_text()
    assert "To: worker-test@example.in" in message
    token = re.search(r"/invitations/([^/\s]+)/", message).group(1)
    assert services.invitation_from_token(token).pk == invitation.pk
    assert "invitation_send_task" in (tmp_path / "worker.log").read_text()


@pytest.mark.django_db
def test_send_task_is_idempotent_for_closed_invitations(tenant, owner, mailoutbox):
    me = Membership.objects.get(tenant=tenant, user=owner)
    invitation = services.invitation_create(
        tenant=tenant, actor=owner, actor_membership=me, email="a@x.in", role="staff"
    )
    services.invitation_revoke(tenant=tenant, actor=owner, invitation=invitation)
    assert tasks.invitation_send_task(invitation.pk) is False
    assert tasks.invitation_send_task(999999) is False
    assert mailoutbox == []
    assert Invitation.objects.get().status == Invitation.Status.REVOKED
