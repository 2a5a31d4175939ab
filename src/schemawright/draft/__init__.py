"""``schemawright draft``: free text -> a task input, proposed by a model behind any OpenAI-compatible
endpoint and accepted only when it passes the input validation and the designer (draft.py)."""

from schemawright.draft.draft import DraftError, DraftResult, draft_task_input, endpoint_from_env

__all__ = ["DraftError", "DraftResult", "draft_task_input", "endpoint_from_env"]
