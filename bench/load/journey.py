"""Simulated members walking the mixed journey against a running topology: HTTP with aiohttp, chat over a
`websockets` socket, each member with their own session token and socket.

Members go in pairs. In each round one of the two (taking turns) browses, posts an offer, reads its matches,
proposes an exchange to the other from it and says so in chat; the other answers in chat and accepts; the
provider claims the minutes, the recipient confirms, then thanks the provider with a gift. Now and then the
provider taps "confirm" again (a 409, intended) and a gift is replayed with its Idempotency-Key (the first
answer again). Between steps each member thinks for a while, as a person on a phone does.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import aiohttp
import websockets

TITLES = [
    ("Dog walking most mornings", "Happy to walk a dog round the park before ten."),
    ("Help with a letter", "I can read and answer letters from the council or the bank."),
    ("Fixing a dripping tap", "Washers and small plumbing jobs, I bring my own tools."),
    ("Gardening and weeding", "Mowing, weeding, tidying borders."),
    ("Company for a cup of tea", "A chat and a cuppa, afternoons are best."),
    ("Shopping trip", "I go to the big supermarket on Thursdays and can carry for two."),
    ("Phone and computer help", "Setting up a phone, video calls with family, email."),
    ("Sewing and mending", "Hems, buttons and small repairs to clothes."),
]


class StepFailed(Exception):
    """A step went wrong in a way already counted; the round stops here."""


class FrameRefused(Exception):
    """The socket answered a frame with an `error` frame."""


@dataclass
class Step:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: Counter = field(default_factory=Counter)
    intended: Counter = field(default_factory=Counter)


@dataclass
class Stats:
    steps: dict[str, Step] = field(default_factory=dict)
    unexpected: list[dict] = field(default_factory=list)  # samples of unintended answers, 4xx and 5xx
    acked: dict[str, int] = field(default_factory=dict)  # client_id -> message id, as acknowledged
    unacked: int = 0
    rounds: int = 0
    logged_in: int = 0

    def step(self, name: str) -> Step:
        return self.steps.setdefault(name, Step())

    def record(self, name: str, seconds: float, outcome: str, *, status: int | None = None, error: str | None = None):
        step = self.step(name)
        step.latencies.append(seconds)
        if status is not None:
            step.statuses[status] += 1
        if outcome == "intended":
            step.intended[str(status)] += 1
        elif outcome == "error":
            step.errors[error or str(status)] += 1


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Target:
    web: list[str]  # http://127.0.0.1:port
    ws: list[str]  # ws://127.0.0.1:port/ws/
    network: str
    password: str
    think: float  # mean seconds between one member's steps
    stats: Stats
    deadline: float  # monotonic: no round starts after it
    _web_cycle: itertools.cycle = field(init=False)

    def __post_init__(self):
        # Like the proxy in front, spread requests over the web processes in turn.
        self._web_cycle = itertools.cycle(self.web)

    def next_web(self) -> str:
        return next(self._web_cycle)


class Member:
    def __init__(self, target: Target, http: aiohttp.ClientSession, person: dict, ws_url: str, n: int):
        self.t, self.http, self.ws_url = target, http, ws_url
        self.id, self.email = person["id"], person["email"]
        # Each member has a phone of their own: the proxy in front says so in X-Forwarded-For, and limits
        # keyed on a client's address (allauth's login limits) count each member apart.
        self.address = f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"
        self.token: str | None = None
        self.ws = None
        self.reader: asyncio.Task | None = None
        self.acks: dict[str, asyncio.Future] = {}  # my client_id -> ack future
        self.inbox: dict[str, asyncio.Future] = {}  # partner's client_id -> delivery future
        self.conversations: dict[int, int] = {}  # partner id -> conversation id

    async def think(self) -> None:
        await asyncio.sleep(random.uniform(0.5, 1.5) * self.t.think)

    async def call(
        self,
        step: str,
        method: str,
        path: str,
        *,
        body: dict | None = None,
        headers: dict | None = None,
        expect: tuple[int, ...] = (200,),
        intended: tuple[int, ...] = (),
        auth: bool = True,
    ) -> tuple[int, object]:
        send = {"X-Forwarded-Proto": "https", "X-Forwarded-For": self.address, "Accept": "application/json"}
        if auth and self.token:
            send["X-Session-Token"] = self.token
        send.update(headers or {})
        started = time.perf_counter()
        try:
            async with self.http.request(method, self.t.next_web() + path, json=body, headers=send) as response:
                raw = await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.t.stats.record(step, time.perf_counter() - started, "error", error=type(exc).__name__)
            raise StepFailed from exc
        elapsed = time.perf_counter() - started
        if status in expect:
            outcome = "ok"
        elif status in intended:
            outcome = "intended"
        else:
            outcome = "error"
            # Keep a few answers of each kind, to find the cause afterwards.
            if sum(1 for e in self.t.stats.unexpected if e["status"] == status) < 5:
                self.t.stats.unexpected.append(
                    {"step": step, "method": method, "path": path, "status": status, "body": raw[:500].decode("latin1")}
                )
        self.t.stats.record(step, elapsed, outcome, status=status)
        if outcome == "error":
            raise StepFailed
        try:
            data = json.loads(raw) if raw and response.content_type == "application/json" else None
        except ValueError:
            data = None
        return status, data

    # Log in ---------------------------------------------------------------------------------------

    async def log_in(self) -> None:
        # The login page first, as a person on the web app sees it (a rendered page with static files).
        await self.call("login.page", "GET", "/accounts/login/", auth=False, expect=(200,))
        _, data = await self.call(
            "login",
            "POST",
            "/_allauth/app/v1/auth/login",
            body={"email": self.email, "password": self.t.password},
            auth=False,
        )
        self.token = data["meta"]["session_token"]
        self.t.stats.logged_in += 1
        started = time.perf_counter()
        try:
            self.ws = await websockets.connect(
                self.ws_url, additional_headers={"X-Session-Token": self.token}, open_timeout=30, max_queue=None
            )
        except (OSError, TimeoutError, websockets.InvalidHandshake) as exc:
            self.t.stats.record("chat.connect", time.perf_counter() - started, "error", error=type(exc).__name__)
            raise StepFailed from exc
        self.t.stats.record("chat.connect", time.perf_counter() - started, "ok")
        self.reader = asyncio.create_task(self.read())

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self.reader is not None:
            await asyncio.wait([self.reader], timeout=5)

    # The socket -----------------------------------------------------------------------------------

    async def read(self) -> None:
        try:
            async for raw in self.ws:
                frame = json.loads(raw)
                kind = frame.get("type")
                if kind == "message.new":
                    message = frame["message"]
                    client_id = message.get("client_id") or ""
                    waiting = self.acks if message["sender"] == self.id else self.inbox
                    future = waiting.get(client_id)
                    if future is not None and not future.done():
                        future.set_result(message)
                elif kind == "error":
                    # Frames are answered in order and a member waits for each ack before sending again,
                    # so an error frame is the answer to the send that is waiting, if one is.
                    pending = [f for f in self.acks.values() if not f.done()]
                    for future in pending:
                        future.set_exception(FrameRefused(frame.get("code", "error")))
                    if not pending:
                        self.t.stats.step("chat.frames").errors[frame.get("code", "error")] += 1
        except websockets.ConnectionClosed as exc:
            if exc.rcvd is None or exc.rcvd.code != 1000:
                self.t.stats.step("chat.frames").errors[f"closed {exc.rcvd.code if exc.rcvd else 'abnormally'}"] += 1

    async def say(self, partner: Member, conversation: int, body: str) -> None:
        """Send one chat message and wait for its ack here and its delivery on the partner's socket."""
        client_id = uuid.uuid4().hex
        loop = asyncio.get_running_loop()
        ack, delivered = loop.create_future(), loop.create_future()
        self.acks[client_id], partner.inbox[client_id] = ack, delivered
        started = time.perf_counter()
        frame = {"type": "message.send", "conversation": conversation, "body": body, "client_id": client_id}
        try:
            await self.ws.send(json.dumps(frame))
            message = await asyncio.wait_for(ack, timeout=15)
        except (websockets.ConnectionClosed, TimeoutError, FrameRefused) as exc:
            self.t.stats.unacked += 1
            error = f"error frame {exc}" if isinstance(exc, FrameRefused) else type(exc).__name__
            self.t.stats.record("chat.send", time.perf_counter() - started, "error", error=error)
            raise StepFailed from exc
        finally:
            self.acks.pop(client_id, None)
        self.t.stats.record("chat.send", time.perf_counter() - started, "ok")
        self.t.stats.acked[client_id] = message["id"]
        try:
            await asyncio.wait_for(delivered, timeout=15)
        except TimeoutError:
            self.t.stats.record("chat.deliver", time.perf_counter() - started, "error", error="not delivered in 15 s")
        else:
            self.t.stats.record("chat.deliver", time.perf_counter() - started, "ok")
        finally:
            partner.inbox.pop(client_id, None)

    # One round ------------------------------------------------------------------------------------

    async def conversation_with(self, partner: Member) -> int:
        if partner.id not in self.conversations:
            _, data = await self.call(
                "chat.open",
                "POST",
                "/api/v1/conversations/",
                body={"network": self.t.network, "member": partner.id},
                expect=(200, 201),
            )
            self.conversations[partner.id] = partner.conversations[self.id] = data["id"]
        return self.conversations[partner.id]


async def pair_round(provider: Member, recipient: Member) -> None:
    """The provider offers help, the recipient takes it and pays, then says thank you with a gift."""
    t, network = provider.t, provider.t.network
    await provider.call("browse.me", "GET", "/api/v1/me/")
    await provider.call("browse.listings", "GET", f"/api/v1/listings/?network={network}&page_size=20")
    await provider.call("browse.notifications", "GET", "/api/v1/notifications/?page_size=20")
    await provider.think()
    title, description = random.choice(TITLES)
    minutes = random.choice([30, 45, 60, 90])
    _, listing = await provider.call(
        "listing.post",
        "POST",
        "/api/v1/listings/",
        body={
            "network": network,
            "kind": "offer",
            "title": title,
            "description": description,
            "minutes_estimate": minutes,
        },
        expect=(201,),
    )
    await provider.think()
    await provider.call("listing.matches", "GET", f"/api/v1/listings/{listing['id']}/matches/")
    await provider.think()
    _, exchange = await provider.call(
        "exchange.propose",
        "POST",
        "/api/v1/exchanges/",
        body={
            "network": network,
            "listing": listing["id"],
            "provider": provider.id,
            "recipient": recipient.id,
            "minutes": minutes,
            "description": title,
        },
        expect=(201,),
    )
    conversation = await provider.conversation_with(recipient)
    await provider.say(recipient, conversation, f"I've offered you {title.lower()}, does Tuesday suit?")
    await recipient.think()
    await recipient.call("browse.exchanges", "GET", f"/api/v1/exchanges/?network={network}&state=proposed")
    await recipient.say(provider, conversation, "Tuesday is lovely, thank you!")
    await recipient.call("exchange.accept", "POST", f"/api/v1/exchanges/{exchange['id']}/accept/")
    await provider.think()
    await provider.call(
        "exchange.claim", "POST", f"/api/v1/exchanges/{exchange['id']}/complete/", body={"minutes": minutes}
    )
    await recipient.think()
    _, confirmed = await recipient.call("exchange.confirm", "POST", f"/api/v1/exchanges/{exchange['id']}/confirm/")
    if confirmed.get("state") != "posted":
        t.stats.step("exchange.confirm").errors[f"state {confirmed.get('state')}"] += 1
    if random.random() < 0.25:
        # A double tap: the exchange is posted already, so this is refused and changes nothing.
        await provider.call(
            "exchange.confirm_again", "POST", f"/api/v1/exchanges/{exchange['id']}/confirm/", expect=(), intended=(409,)
        )
    await provider.call("listing.close", "PATCH", f"/api/v1/listings/{listing['id']}/", body={"status": "closed"})
    await recipient.think()
    key = uuid.uuid4().hex
    gift = {"network": network, "kind": "gift", "to_member": provider.id, "minutes": 15, "memo": "Thank you"}
    _, first = await recipient.call(
        "gift", "POST", "/api/v1/transfers/", body=gift, headers={"Idempotency-Key": key}, expect=(201,)
    )
    if random.random() < 0.2:
        # A retry after a lost answer: the first answer again, and nothing written twice.
        _, again = await recipient.call(
            "gift.replay", "POST", "/api/v1/transfers/", body=gift, headers={"Idempotency-Key": key}, expect=(201,)
        )
        if again != first:
            t.stats.step("gift.replay").errors["a different answer"] += 1
    t.stats.rounds += 1


async def arrive(member: Member, delay: float) -> bool:
    await asyncio.sleep(delay)
    try:
        await member.log_in()
    except StepFailed:
        return False
    return True


async def pair_walk(a: Member, b: Member, ramp: float) -> None:
    """Each member logs in at a moment of their own within the ramp; then the two take turns."""
    t = a.t
    if not all(await asyncio.gather(arrive(a, random.uniform(0, ramp)), arrive(b, random.uniform(0, ramp)))):
        return
    await a.think()
    provider, recipient = a, b
    while time.monotonic() < t.deadline:
        try:
            await pair_round(provider, recipient)
        except StepFailed:
            pass
        except (KeyError, TypeError) as exc:  # an answer without the fields the contract promises
            t.stats.step("contract").errors[f"{type(exc).__name__}: {exc}"] += 1
        provider, recipient = recipient, provider
        await provider.think()
