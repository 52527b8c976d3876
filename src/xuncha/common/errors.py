"""Errors a service raises for a user: the message is Chinese and says what to do."""


class ServiceError(Exception):
    """A request that cannot be carried out as asked; nothing was changed."""


class PermissionDenied(ServiceError):
    """The user's role or assignment does not allow this."""


class ConcurrentEdit(ServiceError):
    """Someone else changed the item since the user loaded it."""
