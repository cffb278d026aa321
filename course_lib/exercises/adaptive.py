"""Exercises of chapter 7: adaptive learning rates."""
