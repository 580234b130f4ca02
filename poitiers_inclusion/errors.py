"""Refusals of the services, written for people, and how a form shows them."""


class ServiceError(Exception):
    """A change the rules refuse. `message` is written for the person doing it; `field` names
    the form field it concerns, when one does."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def add_to(self, form, *, default: str | None = None) -> None:
        """Show the refusal next to its field when the form has that field, else next to
        `default` (None: above the form)."""
        field = self.field if self.field in form.fields else default
        form.add_error(field, self.message)
