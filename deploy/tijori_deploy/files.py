"""The S3 buckets of DESIGN's storages, each with the protection its files need, and the logo CDN."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from tijori_deploy.config import EnvironmentConfig

# config/settings/storages.py: one bucket per alias, named by S3_BUCKET_<ALIAS>.
ALIASES = ("default", "public", "certificates", "invoices", "exports", "backups")

# What the app does with each kind of file, as IAM actions: exact names, no wildcards.
READ_WRITE = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload")
# Invoices are never deleted or overwritten by the app: a lock per object (apps.core.storage), read back
# with HeadObject (which needs GetObjectRetention to show it), extended, never shortened.
INVOICES = (
    "s3:GetObject",
    "s3:PutObject",
    "s3:GetObjectRetention",
    "s3:PutObjectRetention",
    "s3:AbortMultipartUpload",
)
INVOICES_BUCKET = ("s3:ListBucket", "s3:GetBucketObjectLockConfiguration")
# Backups are written and read (a restore), never deleted by the app: the lifecycle ends them.
BACKUPS = ("s3:GetObject", "s3:PutObject", "s3:AbortMultipartUpload")


class Files(Construct):
    def __init__(self, scope: Construct, id: str, *, config: EnvironmentConfig) -> None:
        super().__init__(scope, id)
        self.config = config
        common = {
            "block_public_access": s3.BlockPublicAccess.BLOCK_ALL,
            "encryption": s3.BucketEncryption.S3_MANAGED,
            "enforce_ssl": True,
            "minimum_tls_version": 1.2,
            "object_ownership": s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            "removal_policy": RemovalPolicy.RETAIN,
        }
        abort_uploads = s3.LifecycleRule(
            id="abort-incomplete-uploads", abort_incomplete_multipart_upload_after=Duration.days(1)
        )
        old_versions = s3.LifecycleRule(
            id="old-versions",
            noncurrent_version_expiration=Duration.days(30),
            abort_incomplete_multipart_upload_after=Duration.days(1),
        )
        self.buckets: dict[str, s3.Bucket] = {
            "default": s3.Bucket(self, "Media", versioned=True, lifecycle_rules=[old_versions], **common),
            # Shop logos: private bucket, read by CloudFront only (origin access control).
            "public": s3.Bucket(self, "Public", versioned=True, lifecycle_rules=[old_versions], **common),
            "certificates": s3.Bucket(
                self, "Certificates", versioned=True, lifecycle_rules=[old_versions], **common
            ),
            # GST records: Object Lock in COMPLIANCE mode; the default retention is the floor for a
            # file written without its own date. Object Lock can only be turned on at creation.
            "invoices": s3.Bucket(
                self,
                "Invoices",
                versioned=True,
                object_lock_enabled=True,
                object_lock_default_retention=s3.ObjectLockRetention.compliance(
                    Duration.days(config.invoice_lock_days)
                ),
                lifecycle_rules=[abort_uploads],
                **common,
            ),
            "exports": s3.Bucket(
                self,
                "Exports",
                lifecycle_rules=[
                    s3.LifecycleRule(
                        id="expire-exports",
                        expiration=Duration.days(config.exports_expire_days),
                        abort_incomplete_multipart_upload_after=Duration.days(1),
                    )
                ],
                **common,
            ),
            "backups": s3.Bucket(
                self,
                "Backups",
                versioned=True,
                lifecycle_rules=[
                    s3.LifecycleRule(
                        id="age-out-dumps",
                        transitions=[
                            s3.Transition(
                                storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                                transition_after=Duration.days(30),
                            )
                        ]
                        if config.backups_keep_days > 30
                        else None,
                        expiration=Duration.days(config.backups_keep_days),
                        noncurrent_version_expiration=Duration.days(7),
                        abort_incomplete_multipart_upload_after=Duration.days(1),
                    )
                ],
                **common,
            ),
        }
        self.cdn = cloudfront.Distribution(
            self,
            "PublicCdn",
            comment=f"Tijori {config.name}: shop logos",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.buckets["public"]),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            ),
            price_class=cloudfront.PriceClass.PRICE_CLASS_200,  # includes India
            http_version=cloudfront.HttpVersion.HTTP2_AND_3,
        )

    def environment(self) -> dict[str, str]:
        """The storages' settings for the containers."""
        names = {f"S3_BUCKET_{alias.upper()}": bucket.bucket_name for alias, bucket in self.buckets.items()}
        return {**names, "S3_PUBLIC_DOMAIN": self.cdn.distribution_domain_name}

    def grant_app(self, role: iam.IRole, *, backups: bool) -> None:
        """What web and workers do with files; `backups` for the processes that dump or restore."""
        statements = []
        for alias in ("default", "public", "certificates", "exports"):
            bucket = self.buckets[alias]
            statements.append((READ_WRITE, [bucket.arn_for_objects("*")]))
            statements.append((("s3:ListBucket",), [bucket.bucket_arn]))
        invoices = self.buckets["invoices"]
        statements.append((INVOICES, [invoices.arn_for_objects("*")]))
        statements.append((INVOICES_BUCKET, [invoices.bucket_arn]))
        if backups:
            self.grant_backups(role)
        for actions, resources in statements:
            role.add_to_principal_policy(iam.PolicyStatement(actions=list(actions), resources=resources))

    def grant_backups(self, role: iam.IRole) -> None:
        bucket = self.buckets["backups"]
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=list(BACKUPS), resources=[bucket.arn_for_objects("*")])
        )
        role.add_to_principal_policy(
            iam.PolicyStatement(actions=["s3:ListBucket"], resources=[bucket.bucket_arn])
        )
