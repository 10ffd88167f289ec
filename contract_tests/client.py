"""The client the suite calls: a botocore client whose every call can be watched.

:class:`ContractClient` behaves like the botocore ``imagebuilder`` client it
wraps (``client.start_image_pipeline_execution(...)``) and differs in two
ways: it fills every idempotency token itself, so the exact parameters sent
are known (to the recorder, and to the live-run guard that counts builds);
and it tells its observers about each call before and after it is made.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any, Protocol

from botocore.client import BaseClient

__all__ = ["CallObserver", "ContractClient", "calling"]

calling: ContextVar[ContractClient | None] = ContextVar("calling", default=None)
"""The :class:`ContractClient` whose call is being made in this context (None for a raw botocore call): the
live-run guard, which sits on botocore's event path, makes its own calls through it so they are observed too."""


class CallObserver(Protocol):
    """Sees every call of a :class:`ContractClient`."""

    def before(self, client: ContractClient, operation: str, params: dict[str, Any]) -> None:
        """Called before ``operation`` is sent; may raise to stop it."""

    def after(
        self,
        client: ContractClient,
        operation: str,
        params: dict[str, Any],
        response: dict[str, Any] | None,
        error: BaseException | None,
    ) -> None:
        """Called after ``operation``: its response, or the error it raised.

        An error other than ``ClientError`` (a lost connection, a Ctrl-C)
        means the outcome is unknown: the service may have acted.
        """


class ContractClient:
    """A botocore Image Builder client with explicit idempotency tokens and call observers."""

    def __init__(self, client: BaseClient, observers: Sequence[CallObserver] = ()) -> None:
        self.raw = client
        self.observers = list(observers)
        self.actor = "suite"  # "guard" while the live-run guard calls through this client
        self._operations: dict[str, str] = dict(client.meta.method_to_api_mapping)
        self._methods = {op: method for method, op in self._operations.items()}
        self._token_members: dict[str, str | None] = {}

    def __getattr__(self, name: str) -> Any:
        operation = self._operations.get(name)
        if operation is None:
            return getattr(self.raw, name)

        def call(**params: Any) -> dict[str, Any]:
            return self.call(operation, params)

        call.__name__ = name
        return call

    def _token_member(self, operation: str) -> str | None:
        if operation not in self._token_members:
            shape = self.raw.meta.service_model.operation_model(operation).input_shape
            members = shape.members if shape is not None else {}
            self._token_members[operation] = next(
                (n for n, m in members.items() if m.metadata.get("idempotencyToken")), None
            )
        return self._token_members[operation]

    def call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Call ``operation`` (its API name, e.g. ``StartImagePipelineExecution``) with ``params``."""
        params = dict(params)
        member = self._token_member(operation)
        if member is not None and member not in params:
            params[member] = str(uuid.uuid4())
        for observer in self.observers:
            observer.before(self, operation, params)
        method: Callable[..., dict[str, Any]] = getattr(self.raw, self._methods[operation])
        entered = calling.set(self)
        try:
            response = method(**params)
        except BaseException as error:  # a Ctrl-C mid-call too: the call may still have taken effect
            for observer in self.observers:
                observer.after(self, operation, params, None, error)
            raise
        finally:
            calling.reset(entered)
        for observer in self.observers:
            observer.after(self, operation, params, response, None)
        return response

    def pages(self, operation: str, **params: Any) -> Iterator[dict[str, Any]]:
        """Every page of a list operation, following ``nextToken``."""
        while True:
            page = self.call(operation, params)
            yield page
            token = page.get("nextToken")
            if not token:
                return
            params = {**params, "nextToken": token}

    def list_all(self, operation: str, key: str, **params: Any) -> list[dict[str, Any]]:
        """The items under ``key`` of every page of a list operation."""
        return [item for page in self.pages(operation, **params) for item in page.get(key, [])]
