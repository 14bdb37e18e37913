#!/usr/bin/python3
"""Differential framing corpus (issue 14): generates request byte strings
(RFC 9112 §6/§11 cases, smuggling variants, chunk-size and whitespace
mutations) and prints, per input, how h11 (python3-h11, an independent
HTTP/1.1 parser) frames it: one JSON object per line,
  {"id": N, "name": "...", "input": "<base64>",
   "requests": [{"method": .., "target": .., "body": "<base64>"}...],
   "end": "ok" | "error"}
"end" is "error" when h11 refuses the bytes after the requests it read
(including a message cut short by the end of the input). The C++ test
(tests/differential/framing_differential_test.cpp) sends each input to the
gateway and compares. Usage: h11_framing.py [--count]"""
import base64
import json
import sys

import h11

HOST = b"Host: x\r\n"
NEXT = b"GET /im/v2/t/next HTTP/1.1\r\nHost: x\r\n\r\n"
SMUGGLED = b"GET /im/v2/t/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


def post(headers, body, target=b"/im/v2/t/post"):
    return b"POST " + target + b" HTTP/1.1\r\n" + HOST + headers + b"\r\n" + body


def chunked(*chunks, trailer=b""):
    out = b""
    for c in chunks:
        out += b"%x\r\n%s\r\n" % (len(c), c)
    return out + b"0\r\n" + trailer + b"\r\n"


def corpus():
    cases = []

    def add(name, data):
        cases.append((name, data))

    # Transfer-Encoding values (defect 1 and the classic TE.TE obfuscations).
    te_values = [b"chunked", b"Chunked", b"CHUNKED", b" chunked", b"chunked ", b"\tchunked",
                 b"identity", b"gzip", b"xchunked", b"chunked, identity", b"chunked , identity",
                 b"gzip, chunked", b"chunked, chunked", b"chunked;a=b", b"", b",chunked",
                 b"chunked,", b"chun ked", b"chunked\x0b", b"x, chunked", b"deflate"]
    body = chunked(b"hello")
    for i, te in enumerate(te_values):
        head = b"Transfer-Encoding: " + te + b"\r\n"
        add("te[%d]" % i, post(head, body))
        add("te[%d]+next" % i, post(head, body) + NEXT)
        add("te[%d]+smuggle" % i, post(head, SMUGGLED))
        add("te[%d]+cl" % i, post(head + b"Content-Length: %d\r\n" % len(SMUGGLED), SMUGGLED))
        add("cl+te[%d]" % i, post(b"Content-Length: %d\r\n" % len(body) + head, body) + NEXT)
    # Two Transfer-Encoding lines.
    for a, b in [(b"chunked", b"chunked"), (b"identity", b"chunked"), (b"chunked", b"identity"),
                 (b"chunked", b"")]:
        add("te2 %r %r" % (a, b), post(b"Transfer-Encoding: " + a + b"\r\nTransfer-Encoding: " +
                                       b + b"\r\n", body) + NEXT)
    # Content-Length values.
    cl_values = [b"5", b"05", b"+5", b"-5", b" 5", b"5 ", b"5,5", b"5, 5", b"5, 6", b"0x5", b"",
                 b"5 5", b"99999999999999999999999", b"4", b"6", b"0", b"5\x00"]
    for i, cl in enumerate(cl_values):
        head = b"Content-Length: " + cl + b"\r\n"
        add("cl[%d]" % i, post(head, b"hello") + NEXT)
        add("cl[%d] twice" % i, post(head + head, b"hello") + NEXT)
        add("cl[%d] and 5" % i, post(b"Content-Length: 5\r\n" + head, b"hello") + NEXT)
    # Field-name whitespace and obs-fold (RFC 9112 §5.1, §5.2).
    for name, head in [("space before colon TE", b"Transfer-Encoding : chunked\r\n"),
                       ("space before colon CL", b"Content-Length : 5\r\n"),
                       ("tab before colon", b"Content-Length\t: 5\r\n"),
                       ("obs-fold TE", b"X-A: 1\r\n Transfer-Encoding: chunked\r\n"),
                       ("obs-fold value", b"Transfer-Encoding:\r\n chunked\r\n"),
                       ("no space", b"Content-Length:5\r\n"),
                       ("tab value", b"Content-Length:\t5\r\n"),
                       ("empty name", b": 5\r\n"),
                       ("bare CR in value", b"X-A: a\rb\r\nContent-Length: 5\r\n"),
                       ("NUL in value", b"X-A: a\x00b\r\nContent-Length: 5\r\n"),
                       ("non-token name", b"X(A): 1\r\nContent-Length: 5\r\n")]:
        add(name, post(head, b"hello") + NEXT)
        add(name + " chunked body", post(head, body) + NEXT)
    # Chunk-size lines.
    sizes = [b"5", b"05", b"000005", b"0x5", b"5 ", b" 5", b"5;ext", b"5;ext=val", b"5 ;ext",
             b"5; ext", b"5;ext=\"q\"", b"+5", b"-5", b"fffffffffffffffff5", b"g", b"", b"5\t",
             b"5;", b"5;=x", b"5;a b"]
    for i, size in enumerate(sizes):
        raw = size + b"\r\nhello\r\n0\r\n\r\n"
        add("size[%d]" % i, post(b"Transfer-Encoding: chunked\r\n", raw) + NEXT)
    for name, raw in [
            ("upper hex", b"A\r\n0123456789\r\n0\r\n\r\n"),
            ("last 00", b"5\r\nhello\r\n00\r\n\r\n"),
            ("last 0;ext", b"5\r\nhello\r\n0;x=y\r\n\r\n"),
            ("bare LF size", b"5\nhello\r\n0\r\n\r\n"),
            ("bare LF after data", b"5\r\nhello\n0\r\n\r\n"),
            ("bare LF end", b"5\r\nhello\r\n0\n\n"),
            ("no CRLF after data", b"5\r\nhello0\r\n\r\n"),
            ("data too long", b"5\r\nhelloXX\r\n0\r\n\r\n"),
            ("data too short", b"5\r\nhell\r\n0\r\n\r\n"),
            ("two chunks", b"3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n"),
            ("empty body", b"0\r\n\r\n"),
            ("trailer", b"5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n"),
            ("trailer CL", b"5\r\nhello\r\n0\r\nContent-Length: 40\r\n\r\n"),
            ("trailer TE", b"5\r\nhello\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n"),
            ("trailer bad", b"5\r\nhello\r\n0\r\nbad trailer\r\n\r\n"),
            ("trailer fold", b"5\r\nhello\r\n0\r\nX-T: 1\r\n 2\r\n\r\n"),
            ("trailer no end", b"5\r\nhello\r\n0\r\nX-T: 1\r\n"),
            ("missing last chunk", b"5\r\nhello\r\n"),
            ("missing final CRLF", b"5\r\nhello\r\n0\r\n"),
            ("smuggle in chunk", b"%x\r\n%s\r\n0\r\n\r\n" % (len(SMUGGLED), SMUGGLED))]:
        add(name, post(b"Transfer-Encoding: chunked\r\n", raw) + NEXT)
        add(name + " (last)", post(b"Transfer-Encoding: chunked\r\n", raw))
    # Request line and Host.
    for name, data in [
            ("lower-case method", b"get /im/v2/t/a HTTP/1.1\r\n" + HOST + b"\r\n" + NEXT),
            ("unknown method", b"BREW /im/v2/t/a HTTP/1.1\r\n" + HOST + b"\r\n" + NEXT),
            ("double space", b"GET  /im/v2/t/a HTTP/1.1\r\n" + HOST + b"\r\n" + NEXT),
            ("tab separator", b"GET\t/im/v2/t/a HTTP/1.1\r\n" + HOST + b"\r\n" + NEXT),
            ("no version", b"GET /im/v2/t/a\r\n" + HOST + b"\r\n" + NEXT),
            ("HTTP/1.0", b"GET /im/v2/t/a HTTP/1.0\r\n" + HOST + b"\r\n"),
            ("HTTP/1.0 keep-alive", b"GET /im/v2/t/a HTTP/1.0\r\n" + HOST +
             b"Connection: keep-alive\r\n\r\n" + NEXT),
            ("HTTP/1.0 TE", b"POST /im/v2/t/a HTTP/1.0\r\n" + HOST +
             b"Transfer-Encoding: chunked\r\n\r\n" + body),
            ("HTTP/1.0 no host", b"GET /im/v2/t/a HTTP/1.0\r\n\r\n"),
            ("HTTP/2.0", b"GET /im/v2/t/a HTTP/2.0\r\n" + HOST + b"\r\n"),
            ("HTTP/1.1 no host", b"GET /im/v2/t/a HTTP/1.1\r\n\r\n" + NEXT),
            ("two hosts", b"GET /im/v2/t/a HTTP/1.1\r\n" + HOST + HOST + b"\r\n" + NEXT),
            ("bare LF lines", b"GET /im/v2/t/a HTTP/1.1\nHost: x\n\n" + NEXT),
            ("bare LF end", b"GET /im/v2/t/a HTTP/1.1\r\nHost: x\r\n\n" + NEXT),
            ("bare CR", b"GET /im/v2/t/a HTTP/1.1\rHost: x\r\n\r\n" + NEXT),
            ("leading CRLF", b"\r\nGET /im/v2/t/a HTTP/1.1\r\n" + HOST + b"\r\n"),
            ("space in target", b"GET /im/v2/t/a b HTTP/1.1\r\n" + HOST + b"\r\n" + NEXT),
            ("connection close", b"GET /im/v2/t/a HTTP/1.1\r\n" + HOST +
             b"Connection: close\r\n\r\n" + NEXT),
            ("expect 100", post(b"Expect: 100-continue\r\nContent-Length: 5\r\n", b"hello") + NEXT),
            ("plain GET", b"GET /im/v2/t/a HTTP/1.1\r\n" + HOST + b"\r\n"),
            ("plain GET x3", (b"GET /im/v2/t/a HTTP/1.1\r\n" + HOST + b"\r\n") * 3),
            ("GET with CL body", b"GET /im/v2/t/a HTTP/1.1\r\n" + HOST +
             b"Content-Length: 5\r\n\r\nhello" + NEXT),
            ("cut header", b"GET /im/v2/t/a HTTP/1.1\r\nHost: x\r\n"),
            ("cut body", post(b"Content-Length: 10\r\n", b"hello")),
            ("only CRLF", b"\r\n"),
            ("garbage", b"GARBAGE\r\n\r\n")]:
        add(name, data)
    return cases


def frame(data):
    conn = h11.Connection(h11.SERVER)
    conn.receive_data(data)
    conn.receive_data(b"")
    requests, current, end = [], None, "error"
    while True:
        try:
            event = conn.next_event()
        except h11.RemoteProtocolError:
            break
        if event is h11.NEED_DATA:
            break
        if event is h11.PAUSED:
            conn.send(h11.Response(status_code=200, headers=[("Content-Length", "0")]))
            conn.send(h11.EndOfMessage())
            if conn.our_state is h11.MUST_CLOSE:
                end = "ok"
                break
            conn.start_next_cycle()
            continue
        if isinstance(event, h11.Request):
            current = {"method": event.method.decode("latin-1"),
                       "target": event.target.decode("latin-1"), "body": b""}
        elif isinstance(event, h11.Data):
            current["body"] += event.data
        elif isinstance(event, h11.EndOfMessage):
            current["body"] = base64.b64encode(current["body"]).decode()
            requests.append(current)
            current = None
        elif isinstance(event, h11.ConnectionClosed):
            end = "ok"
            break
    return requests, end


def main():
    cases = corpus()
    if "--count" in sys.argv:
        print(len(cases))
        return
    for i, (name, data) in enumerate(cases):
        requests, end = frame(data)
        print(json.dumps({"id": i, "name": name, "input": base64.b64encode(data).decode(),
                          "requests": requests, "end": end}))


if __name__ == "__main__":
    main()
