"""The project folder, its content-addressed objects and its database."""
