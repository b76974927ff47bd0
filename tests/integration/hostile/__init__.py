"""The hostile corpus: test code that tries to escape, exhaust or fool a sandbox."""
