"""The webhook channel's lean HTTP/1.1 client against a real socket server that answers the way
receivers do: keep-alive, chunked, closing after the answer, closing idle connections, floods,
interim 100s and silence."""

from __future__ import annotations

import asyncio

import pytest
from yarl import URL

from newswire.distribution.channels.h1 import READ_LIMIT, H1Pool
from newswire.distribution.netguard import BlockedAddress, GuardedResolver


class Receiver:
    """Reads each POST fully (Content-Length) and answers with ``self.answer`` (bytes), per connection
    in turn; ``close_after`` closes the connection after each answer, ``silent`` never answers."""

    def __init__(self, answer: bytes = b"HTTP/1.1 204 No Content\r\n\r\n"):
        self.answer, self.close_after, self.silent = answer, False, False
        self.requests: list[tuple[bytes, bytes]] = []
        self.connections = 0
        self.writers: list[asyncio.StreamWriter] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                              if line.lower().startswith(b"content-length:"))
                self.requests.append((head, await reader.readexactly(length)))
                if self.silent:
                    await asyncio.sleep(3600)
                writer.write(self.answer)
                await writer.drain()
                if self.close_after:
                    break
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def _served(receiver: Receiver, test, **pool_kw):
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    pool = H1Pool(GuardedResolver(True), **pool_kw)
    try:
        return await test(pool, URL(f"http://127.0.0.1:{port}/hook/1?x=y"))
    finally:
        await pool.close()
        server.close()


def _request(url: URL, body: bytes = b'{"a": 1}') -> list[bytes]:
    head = H1Pool.head(url, b"Content-Type: application/json\r\n")
    return [head, b"Content-Length: %d\r\n\r\n" % len(body), body]


def run(receiver, test, **kw):
    return asyncio.run(_served(receiver, test, **kw))


def test_keep_alive_reuses_one_connection_and_sends_the_request_as_written():
    receiver = Receiver()

    async def test(pool, url):
        return [await pool.post(url, _request(url, b"body %d" % i)) for i in range(3)]

    assert run(receiver, test) == [(204, b"", None)] * 3
    assert receiver.connections == 1
    head, _ = receiver.requests[0]
    assert head.startswith(b"POST /hook/1?x=y HTTP/1.1\r\nHost: 127.0.0.1:")
    assert [b for _, b in receiver.requests] == [b"body 0", b"body 1", b"body 2"]


def test_chunked_answers_interim_100_and_location_are_read():
    receiver = Receiver(b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 302 Found\r\nLocation: http://elsewhere/\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")

    async def test(pool, url):
        return [await pool.post(url, _request(url)) for _ in range(2)]

    assert run(receiver, test) == [(302, b"hello", "http://elsewhere/")] * 2
    assert receiver.connections == 1  # the chunked answer ended cleanly: kept


def test_an_answer_ended_by_closing_and_connection_close_are_not_reused():
    receiver = Receiver(b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nbroken")
    receiver.close_after = True

    async def test(pool, url):
        return [await pool.post(url, _request(url)) for _ in range(2)]

    assert run(receiver, test) == [(500, b"broken", None)] * 2
    assert receiver.connections == 2


def test_a_flood_is_cut_at_the_read_limit_and_its_connection_dropped():
    flood = b"x" * (READ_LIMIT * 20)
    receiver = Receiver(b"HTTP/1.1 400 Bad\r\nContent-Length: %d\r\n\r\n%s" % (len(flood), flood))

    async def test(pool, url):
        return [await pool.post(url, _request(url)) for _ in range(2)]

    answers = run(receiver, test)
    assert answers == [(400, b"x" * READ_LIMIT, None)] * 2
    assert receiver.connections == 2


def test_a_connection_the_receiver_closed_while_idle_is_replaced_once():
    receiver = Receiver()

    async def test(pool, url):
        first = await pool.post(url, _request(url, b"one"))
        for w in receiver.writers:  # the receiver drops its idle keep-alive connection
            w.transport.abort()
        await asyncio.sleep(0)  # (not waiting on time: the close may or may not be seen before the send)
        second = await pool.post(url, _request(url, b"two"))
        return first, second

    assert run(receiver, test) == ((204, b"", None), (204, b"", None))
    assert [b for _, b in receiver.requests] == [b"one", b"two"]
    assert receiver.connections == 2


def test_silence_times_out_and_the_connection_is_not_reused():
    receiver = Receiver()
    receiver.silent = True

    async def test(pool, url):
        with pytest.raises(TimeoutError):
            await pool.post(url, _request(url))
        receiver.silent = False
        return await pool.post(url, _request(url))

    assert run(receiver, test, timeout=0.3) == (204, b"", None)
    assert receiver.connections == 2


def test_host_names_go_through_the_guard_at_connect_time():
    class Private:  # a host name that resolves to loopback, with private addresses not allowed
        async def resolve(self, host, port=0, family=0):
            return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": 2, "proto": 0, "flags": 0}]

        async def close(self):
            pass

    async def test():
        pool = H1Pool(GuardedResolver(False, Private()))
        url = URL("http://hooks.example.com:9/x")
        try:
            with pytest.raises(BlockedAddress):
                await pool.post(url, _request(url))
        finally:
            await pool.close()

    asyncio.run(test())
