"""seamq's services: coordinator, runner and auditor, plus the CLI that wires them."""
