"""Exercises of chapter 1, optimization and deep learning."""
