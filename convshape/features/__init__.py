"""What convshape builds on the core: stacks (:mod:`.network`), the inverse problem
(:mod:`.solve`), advice and ``explain``, ``verify`` and its fuzzer, and ``lint``."""
