"""Exercises of chapter 2, the calculus of minima."""
