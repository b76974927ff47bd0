"""The coordinator: plan reading, scheduling, run state, validation and reports."""
