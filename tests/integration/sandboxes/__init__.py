"""The sandbox contract, written once and run against each sandbox, and each one's own tests."""
