"""Exercises of chapter 7: every optimizer side by side."""
