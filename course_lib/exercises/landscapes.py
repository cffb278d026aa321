"""Exercises of chapter 3, part 1: local minima, saddle points and plateaus."""
