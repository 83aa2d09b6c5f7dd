"""The service catalog domain: the four lists, matters (事项) and bundles (一件事).

Public verbs live in :mod:`onething.catalog.service`; the models in
:mod:`onething.catalog.models`.
"""
