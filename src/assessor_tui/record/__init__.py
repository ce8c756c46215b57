"""The record of visit as plugins build it: the format-neutral document model and the
block builders, below ``plugins`` so a hook can name the blocks it returns; the
exporters that render it live above, in ``reports``."""
