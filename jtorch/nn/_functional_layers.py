"""Functional forms of the layers (linear, conv, pooling, normalization, activations, dropout, embedding)."""
__all__ = []
