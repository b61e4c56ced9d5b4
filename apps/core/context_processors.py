from django.conf import settings


def site(request) -> dict:
    endpoint = settings.AWS_ENDPOINT_URL
    return {
        "aws_emulated": bool(endpoint) and any(h in endpoint for h in ("127.0.0.1", "localhost", "[::1]")),
        "aws_endpoint_url": endpoint,
    }
