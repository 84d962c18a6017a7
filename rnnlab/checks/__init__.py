"""Checks of correctness a user can run: engines against each other (compare.py) and
gradients against finite differences (gradcheck.py)."""
