"""The auditor: a rule engine that checks test files against the team's testing policy."""
