"""Exercises of chapter 3, part 2: vanishing gradients, cliffs and gradient clipping."""
