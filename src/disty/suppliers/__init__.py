"""Distributor adapters behind one protocol (base.py) and one error tree (errors.py).

The packages' names are here rather than in registry.py, which imports them: a command line's
default supplier needs only the key, and importing the registry (its declarations) cost
``disty order show`` ~5 ms at start-up."""

# The supplier packages shipped with disty, each named for its supplier's key
# (``suppliers/<key>/`` holds ``REGISTRATION``); the first is the default.
PACKAGES = ("ingram", "tdsynnex")


def default_key() -> str:
    """The supplier a request means when it names none: the first of disty's own packages
    (the API and CLI had one supplier before they had several; their defaults stay it).
    Imports no package, nor the registry: the command line's defaults need only the key."""
    return PACKAGES[0]
