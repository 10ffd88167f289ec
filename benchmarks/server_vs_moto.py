"""Call rate of the fake's HTTP server against moto's ``ThreadedMotoServer``, in one run.

moto has no Image Builder, so each server answers a comparable small
rest-json call of its own:

- read:  the fake's ``GetImagePipeline`` (GET, query string, ~0.6 KB JSON answer)
         vs moto's EventBridge Scheduler ``GetSchedule`` (GET, URI label, ~0.4 KB JSON answer);
- write: the fake's ``StartImagePipelineExecution`` (PUT, JSON body, new build each call)
         vs moto's ``CreateSchedule`` (POST, JSON body, new schedule each call).

Each server runs in its own process, as users run it (``python -m
fakeimagebuilder serve``; ``ThreadedMotoServer`` with werkzeug's request log
off, since the fake logs nothing either). Requests are built and signed once
by botocore, then replayed over keep-alive connections from client
processes, so the numbers measure the servers rather than the client. A
second figure is what one boto3 client sees end to end.

Run: ``python benchmarks/server_vs_moto.py [--seconds 3] [--clients 2]``
(needs ``moto[server]``; not part of the test suite).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import boto3
from botocore.awsrequest import AWSResponse

CREDENTIALS = {"aws_access_key_id": "bench", "aws_secret_access_key": "bench", "region_name": "us-east-1"}

MOTO_SERVER = """
import logging, sys
from moto.server import ThreadedMotoServer
logging.getLogger("werkzeug").setLevel(logging.ERROR)
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
host, port = server.get_host_and_port()
print(f"listening on http://{host}:{port}", flush=True)
sys.stdin.read()
"""

PARENT = "arn:aws:imagebuilder:us-east-1:aws:image/amazon-linux-2-x86/x.x.x"
COMPONENT = "arn:aws:imagebuilder:us-east-1:aws:component/update-linux/x.x.x"


def start(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    """Start a server process; returns it and the URL from its ``listening on`` line."""
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line.startswith("listening on "):
        proc.kill()
        raise SystemExit(f"{command[:3]} did not start: {line!r}")
    return proc, line.split()[-1]


class Captured:
    """A request botocore built and signed, kept as raw parts to replay."""

    def __init__(self, method: str, url: str, headers: dict[str, str], body: bytes) -> None:
        self.method, self.headers, self.body = method, headers, body
        parts = urlsplit(url)
        self.target = parts.path + (f"?{parts.query}" if parts.query else "")


def capture(client: Any, operation: str, **params: Any) -> Captured:
    """The signed request of one call, without sending it."""
    found: list[Captured] = []

    def intercept(request: Any, **_: Any) -> AWSResponse:
        body = request.body or b""
        found.append(Captured(request.method, request.url, dict(request.headers), body))
        return AWSResponse(request.url, 200, {}, None)

    client.meta.events.register_first("before-send.*", intercept)
    try:
        getattr(client, operation)(**params)
    except Exception:  # the empty fake answer does not parse; the request is what we want
        pass
    finally:
        client.meta.events.unregister("before-send.*", intercept)
    return found[0]


def _load(url: str, request: Captured, seconds: float, unique: str | None, queue: Any) -> None:
    """One client process: replay ``request`` on a keep-alive connection for ``seconds``."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    done = errors = 0
    deadline = time.perf_counter() + seconds
    body = request.body
    target = request.target
    while time.perf_counter() < deadline:
        if unique is not None:  # writes: make each call new (a fresh token or name)
            marker = f"{unique}-{done}"
            body = request.body.replace(b"BENCHMARK", marker.encode())
            target = request.target.replace("BENCHMARK", marker)
        headers = {**request.headers, "Content-Length": str(len(body))}
        conn.request(request.method, target, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            done += 1
        else:
            errors += 1
    queue.put((done, errors))


def rate(url: str, request: Captured, seconds: float, clients: int, write: bool) -> float:
    """Calls per second the server at ``url`` answered, from ``clients`` processes for ``seconds``."""
    queue: Any = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=_load, args=(url, request, seconds, f"c{i}-{time.time_ns()}" if write else None, queue)
        )
        for i in range(clients)
    ]
    for proc in procs:
        proc.start()
    results = [queue.get() for _ in procs]
    for proc in procs:
        proc.join()
    done = sum(r[0] for r in results)
    errors = sum(r[1] for r in results)
    if errors:
        raise SystemExit(f"{errors} calls to {url} failed")
    return done / seconds


def boto3_rate(call: Callable[[], Any], seconds: float) -> float:
    """Calls per second one boto3 client makes, end to end."""
    count = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        call()
        count += 1
    return count / seconds


def fake_setup(url: str) -> tuple[Any, dict[str, Captured], Callable[[], Any]]:
    client = boto3.client("imagebuilder", endpoint_url=url, **CREDENTIALS)
    recipe = client.create_image_recipe(
        name="bench", semanticVersion="1.0.0", parentImage=PARENT, components=[{"componentArn": COMPONENT}]
    )
    infra = client.create_infrastructure_configuration(name="bench", instanceProfileName="bench")
    pipeline = client.create_image_pipeline(
        name="bench",
        imageRecipeArn=recipe["imageRecipeArn"],
        infrastructureConfigurationArn=infra["infrastructureConfigurationArn"],
    )["imagePipelineArn"]
    requests = {
        "read": capture(client, "get_image_pipeline", imagePipelineArn=pipeline),
        "write": capture(client, "start_image_pipeline_execution", imagePipelineArn=pipeline, clientToken="BENCHMARK"),
    }
    return client, requests, lambda: client.get_image_pipeline(imagePipelineArn=pipeline)


def moto_setup(url: str) -> tuple[Any, dict[str, Captured], Callable[[], Any]]:
    client = boto3.client("scheduler", endpoint_url=url, **CREDENTIALS)
    target = {"Arn": "arn:aws:sqs:us-east-1:123456789012:queue", "RoleArn": "arn:aws:iam::123456789012:role/r"}
    schedule = {"ScheduleExpression": "rate(5 minutes)", "FlexibleTimeWindow": {"Mode": "OFF"}, "Target": target}
    client.create_schedule(Name="bench", **schedule)
    requests = {
        "read": capture(client, "get_schedule", Name="bench"),
        "write": capture(client, "create_schedule", Name="BENCHMARK", **schedule),
    }
    return client, requests, lambda: client.get_schedule(Name="bench")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each measurement")
    parser.add_argument("--clients", type=int, default=2, help="client processes replaying requests")
    args = parser.parse_args()

    servers = {
        "fakeimagebuilder": ([sys.executable, "-m", "fakeimagebuilder", "serve", "--port", "0"], fake_setup),
        "moto ThreadedMotoServer": ([sys.executable, "-c", MOTO_SERVER], moto_setup),
    }
    results: dict[str, dict[str, float]] = {}
    for name, (command, setup) in servers.items():
        proc, url = start(command)
        try:
            _, requests, boto3_call = setup(url)
            rate(url, requests["read"], 0.5, args.clients, write=False)  # warm up
            results[name] = {
                "read": rate(url, requests["read"], args.seconds, args.clients, write=False),
                "write": rate(url, requests["write"], args.seconds, args.clients, write=True),
                "boto3": boto3_rate(boto3_call, args.seconds),
            }
        finally:
            proc.kill()
            proc.wait()
    ours, moto = results["fakeimagebuilder"], results["moto ThreadedMotoServer"]
    print(f"{'calls/s':<28}{'read':>10}{'write':>10}{'boto3 read':>12}")
    for name, row in results.items():
        print(f"{name:<28}{row['read']:>10.0f}{row['write']:>10.0f}{row['boto3']:>12.0f}")
    ratios = {key: ours[key] / moto[key] for key in ours}
    print(f"{'ratio (fake / moto)':<28}{ratios['read']:>9.1f}x{ratios['write']:>9.1f}x{ratios['boto3']:>11.1f}x")
    print(json.dumps({"clients": args.clients, "seconds": args.seconds, "results": results, "ratios": ratios}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
