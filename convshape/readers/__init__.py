"""Text to convshape's data: shapes and pasted layers (:mod:`.parse`), the flag form
(:mod:`.flags`), files and standard input (:mod:`.source`). Nothing is evaluated."""
