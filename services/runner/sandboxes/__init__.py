"""Where tests run: the sandbox interface and one module per kind (local, docker)."""
