"""The runner: workspaces, generation, sandboxes, pytest execution and stability."""
