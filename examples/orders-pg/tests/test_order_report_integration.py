"""SEAM 3: daily report -> PostgreSQL: the count and revenue of every order in the table.

The report reads the whole table, so it is right only when no one else writes orders at
the same time: run beside SEAM 1 against one shared database, it counts SEAM 1's orders
too. seamq gives each job its own PostgreSQL, so both hold.
"""

from __future__ import annotations

import time

from orders import OrderStore


def test_the_report_counts_every_order_placed(store: OrderStore) -> None:
    for customer, total in [("fay", 100), ("gus", 250), ("hal", 650)]:
        store.place(customer, total)
        time.sleep(0.05)  # orders arrive over time, as they do in production

    assert (store.count(), store.revenue()) == (3, 1_000)


def test_an_empty_day_reports_nothing(store: OrderStore) -> None:
    assert (store.count(), store.revenue()) == (0, 0)
