"""disty: the open-source hub between IT resellers and their distributors."""

__version__ = "0.1.0"
