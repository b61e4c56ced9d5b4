"""Tenant infrastructure on AWS (apps.provisioning): the platform role, regions, lifetimes and quotas."""

from decimal import Decimal

from config.env import env

# An AWS emulator's address (LocalStack, moto server) for every AWS call; empty for real AWS.
AWS_ENDPOINT_URL = env("AWS_ENDPOINT_URL", default="")
# The platform role workers assume with STS, and the ExternalId its trust policy requires.
AWS_ROLE_ARN = env("AWS_ROLE_ARN", default="arn:aws:iam::000000000000:role/TijoriProvisioner")
AWS_EXTERNAL_ID = env("AWS_EXTERNAL_ID", default="tijori-local")
# Regions a project may be placed in; the first is the default.
AWS_ALLOWED_REGIONS = env.list("AWS_ALLOWED_REGIONS", default=["ap-south-1", "us-east-1"])
# "Environment" tag and resource-name prefix: keeps stacks of two installations apart.
TIJORI_ENVIRONMENT = env("TIJORI_ENVIRONMENT", default="local")
# A deployed stack is destroyed this long after it is deployed, unless extended up to the maximum.
RESOURCE_TIMEOUT_MINUTES = env.int("RESOURCE_TIMEOUT_MINUTES", default=60)
RESOURCE_MAX_LIFETIME_MINUTES = env.int("RESOURCE_MAX_LIFETIME_MINUTES", default=8 * 60)
# A running operation renews its lease at every step; a lease run out means its worker is gone.
PROVISIONING_LEASE_SECONDS = env.int("PROVISIONING_LEASE_SECONDS", default=120)
# Quotas per tenant, checked before any AWS call (a super admin overrides them per tenant in admin).
PROVISIONING_MAX_PROJECTS = env.int("PROVISIONING_MAX_PROJECTS", default=10)
PROVISIONING_MAX_PROJECT_USD_MONTH = Decimal(env("PROVISIONING_MAX_PROJECT_USD_MONTH", default="50"))
PROVISIONING_MAX_TENANT_USD_MONTH = Decimal(env("PROVISIONING_MAX_TENANT_USD_MONTH", default="100"))
