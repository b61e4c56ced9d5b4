"""The deployed site's preview (views.preview_view, preview_file_view): with the AWS emulator, Tijori
serves the site's files from the project's bucket itself; on real AWS, the pages show its address.

The emulated tests run the moto server (emulated mode is AWS_ENDPOINT_URL being set), with the
worker's tasks eager. The files are fetched by a client with no session, as the sandboxed preview's
assets are: the link, not a cookie, says who may see them.
"""

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from apps.provisioning import selectors
from apps.provisioning.models import Operation, Resource
from apps.tenants.models import Membership
from tests.provisioning.conftest import aws_of
from tests.provisioning.factories import ProjectFactory
from tests.provisioning.uploads import bundle_upload

pytestmark = pytest.mark.django_db

SITE = {
    "backend/app.py": "def handler(event, context):\n    return {}\n",
    "frontend/index.html": '<!doctype html><link rel="stylesheet" href="css/site.css"><h1>Rings of Jaipur</h1>',
    "frontend/css/site.css": "h1{color:#7a4b00}",
    "frontend/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>',
    "frontend/bridal/index.html": "<h1>Bridal sets</h1>",
}


@pytest.fixture
def deployed(tenant, owner, run, moto_server):
    """A project provisioned and deployed (with SITE) on the moto server."""
    project = ProjectFactory(tenant=tenant, actor=owner, name="Jaipur rings")
    assert run(project, Operation.Action.PROVISION, owner).state == "succeeded"
    deploy = run(project, Operation.Action.DEPLOY_APP, owner, bundle=bundle_upload(SITE))
    assert deploy.state == "succeeded", deploy.error
    return project


def _root(client, project) -> str:
    """The preview's root, where the Application tab's Preview link lands."""
    response = client.get(reverse("provisioning:preview", args=[project.pk]))
    assert response.status_code == 302, response.status_code
    return response["Location"]


def test_the_application_tab_links_the_preview_and_says_the_api_is_not_reachable(owner_client, deployed):
    page = owner_client.get(reverse("provisioning:application", args=[deployed.pk])).content.decode()
    assert f'href="{reverse("provisioning:preview", args=[deployed.pk])}"' in page and ">Preview</a>" in page
    assert deployed.site_url not in page  # the emulator's address answers 403
    assert "Not reachable on this server" in page and deployed.api_url in page
    assert f'href="{deployed.api_url}"' not in page


def test_the_preview_serves_the_index_and_relative_assets_with_their_types(owner_client, deployed):
    root = _root(owner_client, deployed)
    assert re.fullmatch(rf"/projects/{deployed.pk}/preview/[^/]+/", root), root
    anonymous = Client()  # the sandboxed page's requests carry no session cookie

    index = anonymous.get(root)
    assert index.status_code == 200 and index["Content-Type"] == "text/html"
    assert b"<h1>Rings of Jaipur</h1>" in b"".join(index.streaming_content)
    assert index["Content-Security-Policy"].startswith("sandbox allow-scripts")
    assert index["X-Content-Type-Options"] == "nosniff" and index["Referrer-Policy"] == "no-referrer"
    css = anonymous.get(f"{root}css/site.css")  # relative to the page, as the browser asks for it
    assert css.status_code == 200 and css["Content-Type"] == "text/css"
    assert b"".join(css.streaming_content) == b"h1{color:#7a4b00}" and css["Content-Length"] == "17"
    assert anonymous.get(f"{root}logo.svg")["Content-Type"] == "image/svg+xml"
    config = anonymous.get(f"{root}config.js")
    assert config["Content-Type"] == "text/javascript" and deployed.api_url.encode() in b"".join(config)
    # A folder answers with its index.html; without its slash, it is sent to it first.
    folder = anonymous.get(f"{root}bridal/")
    assert folder.status_code == 200 and b"Bridal sets" in b"".join(folder.streaming_content)
    assert anonymous.get(f"{root}bridal")["Location"] == f"{root}bridal/"


def test_a_missing_file_is_a_404(owner_client, deployed):
    root = _root(owner_client, deployed)
    assert Client().get(f"{root}css/missing.css").status_code == 404
    assert Client().get(f"{root}nothing/").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "%2E%2E/{secret}/secret.txt",
        "css/%2E%2E/%2E%2E/{secret}/secret.txt",
        "./index.html",
        "css//site.css",
        "css%5Csite.css",
        "index.html%00",
    ],
)
def test_a_path_that_is_not_a_plain_key_is_a_404(owner_client, deployed, path):
    """The emulator is addressed by path (/<bucket>/<key>): whatever the path, nothing outside the
    project's bucket is served (botocore sends a key as it is, and Tijori asks only for plain keys)."""
    s3, secret = aws_of(deployed, "s3"), f"secret-{deployed.key}"
    s3.create_bucket(Bucket=secret, CreateBucketConfiguration={"LocationConstraint": deployed.region})
    s3.put_object(Bucket=secret, Key="secret.txt", Body=b"another stack's data")
    assert s3.get_object(Bucket=secret, Key="secret.txt")["Body"].read() == b"another stack's data"
    response = Client().get(_root(owner_client, deployed) + path.format(secret=secret))
    assert response.status_code == 404
    assert b"another stack" not in response.content


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("", "index.html"),
        ("bridal/", "bridal/index.html"),
        ("css/site.css", "css/site.css"),
        ("img/ring 1.png", "img/ring 1.png"),
        ("../other/secret.txt", None),
        ("css/../../other/secret.txt", None),
        ("./index.html", None),
        ("css/.", None),
        ("css//site.css", None),
        ("/index.html", None),
        ("css\\site.css", None),
        ("index.html\x00", None),
        ("index.html\n", None),
    ],
)
def test_only_plain_keys_are_asked_of_the_bucket(path, key):
    assert selectors.site_preview_key(path) == key


def test_a_link_is_refused_once_expired_forged_moved_or_its_member_gone(
    owner_client, deployed, tenant, owner, monkeypatch
):
    root = _root(owner_client, deployed)
    token = root.rstrip("/").rsplit("/", 1)[1]
    assert Client().get(root).status_code == 200

    assert Client().get(root.replace(token, token[:-2] + "xx")).status_code == 404
    other = ProjectFactory(tenant=tenant, actor=owner, name="Other")
    moved = reverse("provisioning:preview_file", kwargs={"project_id": other.pk, "token": token, "path": ""})
    assert Client().get(moved).status_code == 404
    monkeypatch.setattr(selectors, "PREVIEW_SECONDS", -1)
    assert Client().get(root).status_code == 404
    monkeypatch.undo()
    Membership.objects.filter(tenant=tenant, user=owner).delete()
    assert Client().get(root).status_code == 404


def test_a_purged_site_has_no_preview(owner_client, deployed, owner, run):
    root = _root(owner_client, deployed)
    run(deployed, Operation.Action.PURGE_APP, owner)
    assert Client().get(root).status_code == 404
    assert owner_client.get(reverse("provisioning:preview", args=[deployed.pk])).status_code == 404
    page = owner_client.get(reverse("provisioning:application", args=[deployed.pk])).content.decode()
    assert ">Preview</a>" not in page


def test_staff_members_may_preview(make_client, staff_user, tenant, deployed):
    staff = make_client(staff_user, tenant)
    assert Client().get(_root(staff, deployed)).status_code == 200


def test_the_preview_reads_the_bucket_with_the_stacks_own_role_as_the_member(owner_client, deployed, owner):
    """The file is read through the project's assumed-role session for the member (CloudTrail names them)."""
    calls = []
    client = aws_of(deployed, "s3")  # the cached client of the owner's session: the one the preview uses
    client.meta.events.register(
        "before-parameter-build.s3.GetObject", lambda params, **kw: calls.append(params["Bucket"])
    )
    Client().get(_root(owner_client, deployed))
    bucket = Resource.objects.present().get(project=deployed, kind="bucket").name
    assert calls == [bucket]


# --- real AWS: the pages show the site's own address --------------------------------------------


@pytest.fixture
def on_aws(tenant, owner, aws_env):
    from tests.provisioning.factories import DeployedProjectFactory

    project = DeployedProjectFactory(tenant=tenant, actor=owner)
    project.app_state = "deployed"
    project.site_url = "http://tijori-test-abc-web.s3-website.ap-south-1.amazonaws.com/"
    project.api_url = "https://abc123.execute-api.ap-south-1.amazonaws.com"
    project.save(update_fields=["app_state", "site_url", "api_url"])
    return project


def test_on_aws_the_tab_shows_the_real_addresses_and_preview_goes_there(owner_client, on_aws, owner):
    page = owner_client.get(reverse("provisioning:application", args=[on_aws.pk])).content.decode()
    assert f'href="{on_aws.site_url}"' in page and f'href="{on_aws.api_url}"' in page
    assert ">Preview</a>" not in page and "Not reachable" not in page
    assert owner_client.get(reverse("provisioning:preview", args=[on_aws.pk]))["Location"] == on_aws.site_url
    token = selectors.site_preview_token(project=on_aws, user=owner)
    url = reverse("provisioning:preview_file", kwargs={"project_id": on_aws.pk, "token": token, "path": ""})
    assert Client().get(url).status_code == 404


def test_a_token_is_bound_to_its_salt(on_aws, owner):
    token = signing.dumps({"p": on_aws.pk, "t": on_aws.tenant_id, "u": owner.pk})  # no preview salt
    with pytest.raises(signing.BadSignature):
        selectors.site_preview_project(token=token, project_id=on_aws.pk)
