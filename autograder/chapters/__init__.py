"""Visible checks, one module per chapter (ch01.py ... ch06.py).

Each module registers its checks with ``autograder.registry.exercise``; a notebook's test cell imports
the one it needs, e.g. ``from autograder.chapters.ch01 import check_ex1_1``.
"""
