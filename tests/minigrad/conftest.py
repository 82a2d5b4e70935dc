"""Fixtures for minigrad's differential tests (the helpers themselves live in torch_pairs.py)."""
import pytest
import torch

CUDA = torch.cuda.is_available()


@pytest.fixture(params=["cpu", pytest.param("cuda", marks=pytest.mark.cuda)])
def torch_device(request):
    """Device for the torch side of a test: the CUDA variant skips cleanly without a GPU."""
    if request.param == "cuda" and not CUDA:
        pytest.skip("CUDA is not available")
    return request.param


def pytest_configure(config):
    # minigrad, like torch, computes 1/0 = inf quietly (see minigrad/__init__.py)
    config.addinivalue_line("filterwarnings", "ignore::RuntimeWarning:minigrad")
