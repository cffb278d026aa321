"""Exercises of chapter 6: momentum and Nesterov momentum."""
