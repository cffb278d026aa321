"""Exercises of chapter 5: stochastic and minibatch gradient descent, learning-rate schedules."""
