"""minigrad: a small autograd engine with PyTorch's API, built to be read."""
