"""Column limits shared by the model, the API schemas and the assistant.

A module of its own so the request path does not import SQLAlchemy (the ORM
model is only needed by the migrations).
"""

TITLE_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000
