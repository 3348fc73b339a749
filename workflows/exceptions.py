class TransitionRefused(Exception):
    """A state change that is not allowed; ``message`` is translated and safe to show to the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message
