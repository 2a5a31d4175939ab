"""What a design promises about security, as SQL checks derived from the model.

    security_checks  the privilege matrix and the security promises as SQL checks, shared by verify, the
                     security docs and the generated pgTAP tests; security_support.sql: the helpers they call

It depends on the model and datagen only; see docs/DESIGN.md, "Layers".
"""
