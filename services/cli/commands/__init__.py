"""The CLI's commands: the one place where coordinator, runner and auditor are wired."""
