"""The designer: task input -> canonical schema, with every inference explained."""

from schemawright.design.designer import design

__all__ = ["design"]
