"""Use cases, shared by the CLI, the web app and the worker. Nothing here imports disty.web.

Each use case takes an AsyncSession, does its work and commits: one use case, one transaction.
"""
