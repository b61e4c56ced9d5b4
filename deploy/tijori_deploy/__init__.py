"""Tijori on AWS, as code: one CDK stack per environment (see docs/deploy.md)."""
