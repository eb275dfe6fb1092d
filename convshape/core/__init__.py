"""The pure core: immutable data and functions over it, no I/O, no torch.

Shapes, torch's size arithmetic, the taxonomy of torch's messages (:mod:`.errors`), the one
signature vocabulary (:mod:`.signature`), the registry of op families (:mod:`.registry`)
and the engine that asks it (:mod:`.engine`). See docs/architecture.md.
"""
