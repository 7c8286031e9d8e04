"""Pure jax implementations of torch ops, one module per family."""
