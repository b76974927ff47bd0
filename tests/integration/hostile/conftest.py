"""The hostile corpus is run inside sandboxes by the tests that take it from ``payloads``,
never here.

Its files are named ``case_*.py`` so pytest does not collect them on the host; this guard
keeps it so if one is ever renamed.
"""

collect_ignore_glob = ["case_*.py", "test_*.py"]
