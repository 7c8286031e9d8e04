"""Functional forms of the losses."""
__all__ = []
