"""Exercises of chapter 7: one Adam step by hand."""
