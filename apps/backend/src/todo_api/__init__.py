"""FastAPI backend of the todo application."""
