"""The error of a labelling job that cannot run at all."""


class JobError(RuntimeError):
    """A job that cannot run at all (bad format or engine, model missing, folder in use)."""
