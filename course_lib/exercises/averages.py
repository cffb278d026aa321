"""Exercises of chapter 6: running averages."""
