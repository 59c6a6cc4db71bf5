"""Runs a service for the socket in a worker thread, then sends the pushes it committed from the event loop.

One thread hop per frame: the pushes a service makes are collected in the thread and sent back on the
loop afterwards, instead of each hopping back to the loop from the thread.
"""

from channels.db import database_sync_to_async

from messaging.notifications import push


def _with_pushes(fn, args, kwargs):
    with push.pushes_deferred() as pushes:
        try:
            return fn(*args, **kwargs), pushes, None
        except Exception as exc:  # noqa: BLE001 - raised again on the loop, after the committed pushes
            return None, pushes, exc


# Off the single "thread-sensitive" worker: frames from different sockets reach the database in
# parallel (one connection per worker thread), so PostgreSQL can group their commits.
_in_thread = database_sync_to_async(_with_pushes, thread_sensitive=False)


async def db(fn, *args, **kwargs):
    """Run `fn` in a worker thread, one hop for the whole frame; the pushes it committed go out from
    the event loop afterwards instead of hopping back to it from the thread one by one."""
    result, pushes, exc = await _in_thread(fn, args, kwargs)
    if pushes:
        await push.push_now(pushes)
    if exc is not None:
        raise exc
    return result
