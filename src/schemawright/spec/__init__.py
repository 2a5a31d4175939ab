"""The task input: its pydantic models (models.py), the loader with located errors (load.py) and the
expression helpers shared by the designer and the linters (expressions.py)."""
