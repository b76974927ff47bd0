"""A memory flood: keeps touching new memory until something stops it."""


def test_memory_flood():
    hoard = []
    while True:
        hoard.append(bytearray(b"\1") * (16 * 1024 * 1024))
