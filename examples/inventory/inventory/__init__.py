"""A small stock-keeping component: a SQLite store, a read cache, a service and an API."""
