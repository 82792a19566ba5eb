"""Errors of the assistant, importable without the openai package."""


class ProviderError(Exception):
    """The AI provider failed or answered nonsense; mapped to HTTP 502."""
