"""The dashboard: a FastAPI app over the store, every figure through the disclosure gate."""
