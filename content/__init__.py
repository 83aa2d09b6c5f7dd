"""Policy content: rule packs (packs/) and the service catalog (catalog/).

Owned by business staff, kept apart from engine code so a province replaces it without
touching Python; installed with the package as ``onething.content``.
"""
