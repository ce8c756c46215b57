"""Framework files: the model, the loader and its checks, the published schema."""
