"""Recipes in, run folders out: setup, the training loop with callbacks, the run folder."""
