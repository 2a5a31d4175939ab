"""Errors schemawright reports to users (never as tracebacks).

    SchemawrightError            base; the CLI prints it and exits with ``exit_code``
    ├── SpecError                bad input: carries file, line, column, field path, expected/got
    ├── UsageError               a command asked for something it cannot do (exit 2, like bad input)
    │                            (``SpecErrors`` groups several, all reported together)
    ├── DatabaseError            the database could not be reached or refused an operation
    └── VerifyError              verification could not run to the end
"""

from __future__ import annotations

from dataclasses import dataclass


class SchemawrightError(Exception):
    exit_code = 1


@dataclass
class SpecProblem:
    """One problem in an input file, located as precisely as the format allows."""

    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    path: str | None = None  # e.g. data_model.entities[2].attributes[0].name
    expected: str | None = None
    got: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: "
        if self.path:
            text += f"{self.path}: "
        text += self.message
        if self.expected is not None:
            text += f" (expected {self.expected}"
            text += f", got {self.got})" if self.got is not None else ")"
        elif self.got is not None:
            text += f" (got {self.got})"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_yaml_error(cls, exc: Exception, file: str, prefix: str = "invalid YAML") -> SpecProblem:
        """A PyYAML error located at its mark (the problem's, else the context's), e.g. ``file:3:7: invalid YAML: ...``."""
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        return cls(message=f"{prefix}: {problem}" + (f" ({context})" if context else ""), file=file,
                   line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None)


class SpecError(SchemawrightError):
    """The input is invalid; nothing was written."""

    exit_code = 2

    def __init__(self, problems: list[SpecProblem] | SpecProblem):
        problems = list(problems) if isinstance(problems, list) else [problems]
        # In reading order: by file, then position (problems without a position last); stable.
        self.problems = sorted(problems, key=lambda p: (p.file or "", p.line is None, p.line or 0,
                                                        p.column is None, p.column or 0))
        super().__init__("\n".join(str(p) for p in self.problems))


class UsageError(SchemawrightError):
    """An option or target the command cannot use as given (an output file that exists without --force)."""

    exit_code = 2


class DatabaseError(SchemawrightError):
    exit_code = 3


class VerifyError(SchemawrightError):
    exit_code = 4
