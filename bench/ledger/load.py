"""Load generator for the gift endpoint: asyncio, raw HTTP/1.1 keep-alive, one connection per member.

Logs each member in through allauth's app flow, then POSTs one-minute gifts to random other members,
each with its own Idempotency-Key. `--rate` paces requests (latency counted from the scheduled time).
"""

import argparse
import asyncio
import json
import os
import random
import statistics
import time
import uuid


class Connection:
    def __init__(self, host: str, port: int):
        self.host, self.port = host, port

    async def open(self):
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def request(self, method: str, path: str, body: dict, headers: dict) -> tuple[int, bytes]:
        data = json.dumps(body).encode()
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", "Content-Type: application/json"]
        head += [f"Content-Length: {len(data)}", "X-Forwarded-Proto: https"]  # as from the TLS proxy
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + data)
        status_line = await self.reader.readline()
        status = int(status_line.split()[1])
        length, chunked = 0, False
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
            elif name.lower() == "transfer-encoding" and "chunked" in value:
                chunked = True
        if not chunked:
            return status, await self.reader.readexactly(length)
        payload = b""
        while True:
            size = int((await self.reader.readline()).strip(), 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return status, payload
            payload += chunk[:-2]


async def login(host: str, port: int, person: dict) -> str:
    conn = Connection(host, port)
    await conn.open()
    status, body = await conn.request(
        "POST", "/_allauth/app/v1/auth/login", {"email": person["email"], "password": person["password"]}, {}
    )
    conn.writer.close()
    if status != 200:
        raise SystemExit(f"login failed for {person['email']}: {status} {body[:200]!r}")
    return json.loads(body)["meta"]["session_token"]


async def member_loop(host, port, network, me, token, others, until, interval, latencies, errors, samples):
    conn = Connection(host, port)
    await conn.open()
    # Paced runs start each connection at a random point of its interval, and count latency from
    # the scheduled send time, so a server that falls behind is not excused (no coordinated omission).
    next_at = time.perf_counter() + random.uniform(0, interval)
    while True:
        if interval:
            delay = next_at - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            start = next_at
            next_at += interval
        else:
            start = time.perf_counter()
        if start >= until:
            break
        body = {"network": network, "kind": "gift", "to_member": random.choice(others), "minutes": 1}
        headers = {"X-Session-Token": token, "Idempotency-Key": uuid.uuid4().hex}
        status, payload = await conn.request("POST", "/api/v1/transfers/", body, headers)
        latencies.append(time.perf_counter() - start)
        if status != 201:
            errors.append(status)
            if len(samples) < 3:
                samples.append(f"{status} {payload[:200]!r}")
    conn.writer.close()


async def main(args):
    host, port = args.host, args.port
    seed = json.load(open(args.seed))
    people = seed["people"][: args.connections]
    ids = [p["id"] for p in seed["people"]]
    # Logged in once per bench run (allauth rate-limits logins), then reused by every server.
    if os.path.exists(args.tokens):
        tokens = json.load(open(args.tokens))[: len(people)]
    else:
        tokens = [await login(host, port, p) for p in people]
        json.dump(tokens, open(args.tokens, "w"))
    if args.login_only:
        # For wrk (gifts.lua): one "token user_id" a line.
        with open(args.tokens + ".txt", "w") as out:
            out.writelines(f"{t} {p['id']}\n" for p, t in zip(people, tokens, strict=True))
        return
    latencies, errors, samples = [], [], []
    interval = args.connections / args.rate if args.rate else 0
    # A short warm-up so both workers have imported everything and opened their connections.
    warm_until = time.perf_counter() + 2
    await asyncio.gather(
        *[
            member_loop(
                host, port, seed["network"], p["id"], t, [i for i in ids if i != p["id"]], warm_until, 0, [], [], []
            )
            for p, t in zip(people, tokens, strict=True)
        ]
    )
    started = time.perf_counter()
    until = started + args.duration
    await asyncio.gather(
        *[
            member_loop(
                host,
                port,
                seed["network"],
                p["id"],
                t,
                [i for i in ids if i != p["id"]],
                until,
                interval,
                latencies,
                errors,
                samples,
            )
            for p, t in zip(people, tokens, strict=True)
        ]
    )
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    result = {
        "requests": len(latencies),
        "gifts_per_s": round((len(latencies) - len(errors)) / elapsed, 1),
        "errors": len(errors),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1),
        "error_samples": samples,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--seed", required=True)
    parser.add_argument("--tokens", required=True, help="session tokens file: written on the first run, then read")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--login-only", action="store_true", help="log in, write TOKENS and TOKENS.txt, stop")
    parser.add_argument("--rate", type=float, default=0, help="total requests per second (0: as fast as possible)")
    asyncio.run(main(parser.parse_args()))
