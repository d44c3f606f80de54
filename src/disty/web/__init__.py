"""The web app: ``create_app`` builds it (``disty serve`` runs it with uvicorn)."""

from disty.web.app import create_app

__all__ = ["create_app"]
