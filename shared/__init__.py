"""The message contract and the plumbing every seamq service uses."""
