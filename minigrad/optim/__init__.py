"""Optimizers with torch's names and update rules: ``SGD`` and ``Adam``."""
from .optimizer import Optimizer
from .sgd import SGD
from .adam import Adam

__all__ = ["Optimizer", "SGD", "Adam"]
