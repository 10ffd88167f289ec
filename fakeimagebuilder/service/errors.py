"""Domain errors: one class per error code the service can answer.

The service layer raises these and knows nothing of HTTP; the wire layer
turns a code into its modeled status and headers.
"""

from __future__ import annotations

__all__ = [
    "CallRateLimitExceededException",
    "ClientException",
    "DryRunOperationException",
    "ForbiddenException",
    "IdempotentParameterMismatchException",
    "ImageBuilderError",
    "InvalidPaginationTokenException",
    "InvalidParameterException",
    "InvalidParameterValueException",
    "InvalidRequestException",
    "InvalidVersionNumberException",
    "ResourceAlreadyExistsException",
    "ResourceDependencyException",
    "ResourceInUseException",
    "ResourceNotFoundException",
    "ServiceException",
    "ServiceUnavailableException",
    "error_for_code",
]


class ImageBuilderError(Exception):
    """An error the service answers with; ``code`` is its wire error code."""

    code: str = "ServiceException"
    chosen: bool = False
    """Set when a user of the fake asked for this answer (fail_next, a rate limit, a deny rule): the wire sends
    it as it is, where it may answer the service's own refusals with the operation's modeled code instead."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        if "code" not in cls.__dict__:
            cls.code = cls.__name__


class ServiceException(ImageBuilderError):
    """The service failed (500)."""


class ServiceUnavailableException(ImageBuilderError):
    """The service is unavailable (503)."""


class ClientException(ImageBuilderError):
    """A client-side fault, such as an ARN of another region (400)."""


class InvalidRequestException(ImageBuilderError):
    """The action is not supported for the resource in its state (400)."""


class ResourceNotFoundException(ImageBuilderError):
    """A referenced resource does not exist (404)."""


class IdempotentParameterMismatchException(ImageBuilderError):
    """A client token was reused with other parameters (400)."""


class ForbiddenException(ImageBuilderError):
    """The caller may not act on the resource (403)."""


class CallRateLimitExceededException(ImageBuilderError):
    """The operation's request rate was exceeded (429)."""


class ResourceInUseException(ImageBuilderError):
    """The resource is busy (400)."""


class ResourceAlreadyExistsException(ImageBuilderError):
    """A resource of that name and version exists (400)."""


class ResourceDependencyException(ImageBuilderError):
    """Other resources still depend on the resource (400)."""


class InvalidVersionNumberException(ImageBuilderError):
    """The semantic version is not valid for the operation (400)."""


class InvalidPaginationTokenException(ImageBuilderError):
    """The pagination token is not one the service issued (400)."""


class InvalidParameterValueException(ImageBuilderError):
    """A parameter value breaks a constraint (400)."""


class InvalidParameterException(ImageBuilderError):
    """A parameter is not valid (400); the tagging operations' variant."""


class DryRunOperationException(ImageBuilderError):
    """A ``dryRun`` call passed every check, and nothing was done (412)."""


_BY_CODE: dict[str, type[ImageBuilderError]] = {cls.code: cls for cls in ImageBuilderError.__subclasses__()}


def error_for_code(code: str, message: str) -> ImageBuilderError:
    """An error of ``code``; a code with no class of its own keeps its name on the wire."""
    cls = _BY_CODE.get(code)
    if cls is not None:
        return cls(message)
    error = ImageBuilderError(message)
    error.code = code
    return error
