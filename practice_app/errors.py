"""Exceptions that carry a message meant for the user."""


class UserError(Exception):
    """Bad input from the user (a file, an option, a value): exit code 2."""

    exit_code = 2


class AppError(Exception):
    """An expected failure that is not the user's input: exit code 1."""

    exit_code = 1
