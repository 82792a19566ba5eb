"""The chat assistant: an offline command parser or an OpenAI tool-calling loop."""
