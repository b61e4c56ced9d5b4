"""The CDK app: `python app.py` writes the cloud assembly (both environments) to cdk.out, or to $CDK_OUTDIR."""

from aws_cdk import App
from tijori_deploy.config import ENVIRONMENTS
from tijori_deploy.stack import TijoriStack


def build(outdir: str | None = None) -> App:
    app = App(outdir=outdir)
    for config in ENVIRONMENTS.values():
        TijoriStack(app, config)
    return app


if __name__ == "__main__":
    build().synth()
