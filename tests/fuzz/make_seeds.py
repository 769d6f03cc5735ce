#!/usr/bin/env python3
"""Writes the seed corpora in tests/fuzz/corpus/ (run from anywhere; the files
are committed, this only documents and reproduces them). Seeds are small and
meaningful: real handshake heads, a token in each transport, forged JWTs.
The JWT seeds use the fuzz target's fixed key ring (fuzz_token_service.cpp)."""
import base64, hashlib, hmac, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
CUR_KID, CUR_KEY = "cur0cur0cur0", b"C" * 32
OLD_KID, OLD_KEY = "old0old0old0", b"O" * 32
NOW = 1_800_000_000


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def b64(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=")


def j(o):
    return json.dumps(o, separators=(",", ":")).encode()


def forge(header, payload, key, digest=hashlib.sha256):
    signing = b64(header) + b"." + b64(payload)
    return signing + b"." + b64(hmac.new(key, signing, digest).digest())


def hdr(alg="HS256", kid=CUR_KID):
    h = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        h["kid"] = kid
    return h


def claims(**changes):
    c = {"iss": "kioskgate-fuzz", "aud": "kioskgate-kiosk", "sub": "lobby-1",
         "jti": "AAAAAAAAAAAAAAAAAAAAAA", "iat": NOW - 10, "nbf": NOW - 10, "exp": NOW + 3600}
    for k, v in changes.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    return c


GOOD = forge(j(hdr()), j(claims()), CUR_KEY)


def head(target="/v1/kiosk", extra=(), method="GET"):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1:8765", "Upgrade: websocket",
             "Connection: Upgrade", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
             "Sec-WebSocket-Version: 13", "Origin: https://kiosk.example", *extra]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


tok = GOOD.decode()
heads = {
    "header_bearer": head(extra=[f"Authorization: Bearer {tok}"]),
    "subprotocol": head(extra=[f"Sec-WebSocket-Protocol: kioskgate.v1, kioskgate.bearer.{tok}"]),
    "subprotocol_two_fields": head(extra=["Sec-WebSocket-Protocol: kioskgate.v1",
                                          f"Sec-WebSocket-Protocol: kioskgate.bearer.{tok}"]),
    "subprotocol_without_v1": head(extra=[f"Sec-WebSocket-Protocol: kioskgate.bearer.{tok}"]),
    "ticket": head(target="/v1/kiosk?ticket=Zm9vYmFyYmF6cXV4"),
    "access_token": head(target=f"/v1/kiosk?access_token={tok}"),
    "access_token_percent": head(target="/v1/kiosk?access_token=a%2Eb%2Ec&x=1"),
    "two_transports": head(target="/v1/kiosk?ticket=abc", extra=[f"Authorization: Bearer {tok}"]),
    "repeated_ticket": head(target="/v1/kiosk?ticket=a&ticket=b"),
    "repeated_authorization": head(extra=["Authorization: Bearer a", "authorization: Bearer b"]),
    "basic_scheme": head(extra=["Authorization: Basic dXNlcjpwYXNz"]),
    "empty_bearer": head(extra=["Authorization: Bearer "]),
    "no_token": head(),
    "ticket_post": ("POST /v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://kiosk.example\r\n"
                    f"Authorization: Bearer {tok}\r\nContent-Length: 0\r\n\r\n").encode(),
    "preflight": (b"OPTIONS /v1/tickets HTTP/1.1\r\nHost: a\r\nOrigin: http://10.0.0.5:8080\r\n"
                  b"Access-Control-Request-Method: POST\r\n"
                  b"Access-Control-Request-Headers: authorization\r\n\r\n"),
    "health_http10": b"GET /healthz HTTP/1.0\r\n\r\n",
    "client_script_head": b"HEAD /kioskgate.js HTTP/1.1\r\nHost: a\r\n\r\n",
    "pipelined": b"GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\n\r\n",
}
for name, data in heads.items():
    write("token_extractor", name, data)
    write("http_request_head", name, data)
for name, data in {
    "bare_lf": b"GET / HTTP/1.1\nHost: a\n\n",
    "obs_fold": b"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
    "space_before_colon": b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
    "absolute_form": b"GET http://a/ HTTP/1.1\r\n\r\n",
    "partial": b"GET /v1/kiosk HTTP/1.1\r\nHost: a\r\nUpgr",
    "tls_client_hello": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03",
    "obs_text_value": b"GET / HTTP/1.1\r\nX-Name: caf\xe9\r\n\r\n",
    "lists": b"GET / HTTP/1.1\r\nConnection: keep-alive, , Upgrade\r\nUpgrade: h2c,\tWebSocket\r\n\r\n",
}.items():
    write("http_request_head", name, data)

# token_service: mode byte, then the token (0) or header\npayload (1, 2, 3).
raw = {
    "good": GOOD,
    "good_old_key": forge(j(hdr(kid=OLD_KID)), j(claims()), OLD_KEY),
    "good_origins": forge(j(hdr()), j(claims(origins=["https://kiosk.example"])), CUR_KEY),
    "good_aud_array": forge(j(hdr()), j(claims(aud=["x", "kioskgate-kiosk"])), CUR_KEY),
    "good_no_exp": forge(j(hdr()), j(claims(exp=None)), CUR_KEY),
    "expired": forge(j(hdr()), j(claims(exp=NOW - 1)), CUR_KEY),
    "not_yet_valid": forge(j(hdr()), j(claims(nbf=NOW + 60)), CUR_KEY),
    "alg_none": b64(j(hdr("none"))) + b"." + b64(j(claims())) + b".",
    "alg_None_signed": forge(j(hdr("None")), j(claims()), CUR_KEY),
    "alg_hs512": forge(j(hdr("HS512")), j(claims()), CUR_KEY, hashlib.sha512),
    "alg_rs256": forge(j(hdr("RS256")), j(claims()), CUR_KEY),
    "no_kid": forge(j(hdr(kid=None)), j(claims()), CUR_KEY),
    "unknown_kid": forge(j(hdr(kid="gone0gone0go")), j(claims()), CUR_KEY),
    "bad_signature": forge(j(hdr()), j(claims()), b"X" * 32),
    "wrong_issuer": forge(j(hdr()), j(claims(iss="someone-else")), CUR_KEY),
    "string_iat": forge(j(hdr()), j(claims(iat=str(NOW))), CUR_KEY),
    "empty_origins": forge(j(hdr()), j(claims(origins=[])), CUR_KEY),
    "payload_array": forge(j(hdr()), b"[1,2,3]", CUR_KEY),
    "two_segments": GOOD.rsplit(b".", 1)[0],
    "padded_signature": GOOD + b"=",
}
for name, token in raw.items():
    write("token_service", "raw_" + name, b"\x00" + token)
signed = {
    "good": (j(hdr()), j(claims())),
    "old_key": (j(hdr(kid=OLD_KID)), j(claims())),
    "duplicate_keys": (j(hdr()), j(claims())[:-1] + b',"iss":"x","iss":"kioskgate-fuzz"}'),
    "big_numbers": (j(hdr()), j(claims(exp=2**63 - 1, nbf=-1))),
    "float_times": (j(hdr()), j(claims(iat=1.5e9))),
    "nested": (j(hdr()), j(claims(sub={"a": [1, {"b": None}]}))),
    "unicode": (j(hdr()), json.dumps(claims(sub="kiosk-\u00e9\u2603")).encode()),
    "alg_none_header": (j(hdr("none")), j(claims())),
    "crit_header": (j({**hdr(), "crit": ["exp"]}), j(claims())),
}
for name, (h, p) in signed.items():
    write("token_service", "signed_" + name, b"\x01" + h + b"\n" + p)
    write("token_service", "attacker_" + name, b"\x02" + h + b"\n" + p)
write("token_service", "mutated_signature", b"\x03" + j(hdr()) + b"\n" + j(claims()) + b"\n" + b"\x00" * 200 + b"\x01")
write("token_service", "mutated_header", b"\x03" + j(hdr()) + b"\n" + j(claims()) + b"\n" + b"\x00\x00\x00\x02")

for name, origin in {
    "https": "https://kiosk.example",
    "http_port": "http://10.0.0.5:8080",
    "default_port": "HTTPS://Kiosk.Example:443",
    "ipv6": "http://[::1]:8080",
    "ipv6_mapped": "http://[::FFFF:10.0.0.1]",
    "idn": "https://b\u00fccher.example",
    "punycode": "https://xn--bcher-kva.example",
    "trailing_slash": "https://kiosk.example/",
    "userinfo": "https://user@kiosk.example",
    "null": "null",
    "file": "file:///etc/passwd",
    "spaces": "  https://kiosk.example  ",
    "percent_host": "https://kio%73k.example",
    "with_header_match": "https://kiosk.example\nhttps://kiosk.example",
    "with_header_case": "https://kiosk.example\nhttps://KIOSK.example",
    "port_zero": "http://a:0",
    "big_port": "http://a:65536",
}.items():
    write("origin_policy", name, origin)

# kiosk_message: one frame per line, first character = sending session
# (a, b, c live; d connects on its first line; anything else unknown);
# $0 = the reset to a and b, $1 = the reload to a and d.
for name, lines in {
    "ack_then_done": ['a{"type":"ack","id":"$0","ok":true}', 'a{"type":"done","id":"$0"}'],
    "ack_twice": ['b{"type":"ack","id":"$0","ok":true}', 'b{"type":"ack","id":"$0","ok":true}'],
    "ack_refused": ['a{"type":"ack","id":"$1","ok":false,"error":"busy"}', 'a{"type":"done","id":"$1"}'],
    "ack_refused_no_reason": ['b{"type":"ack","id":"$0","ok":false}'],
    "ack_ok_not_bool": ['a{"type":"ack","id":"$0","ok":"false"}', 'b{"type":"ack","id":"$0","ok":0}'],
    "done_before_ack": ['b{"type":"done","id":"$0"}', 'b{"type":"ack","id":"$0","ok":true}'],
    "other_kiosks_command": ['c{"type":"ack","id":"$0","ok":true}', 'b{"type":"ack","id":"$1","ok":true}'],
    "pending_kiosk_connects": ['d{"type":"status","clientVersion":"1.0","pageUrl":"https://kiosk.example/"}',
                               'd{"type":"ack","id":"$1","ok":true}', 'd{"type":"done","id":"$1"}'],
    "unknown_session": ['x{"type":"ack","id":"$0","ok":true}'],
    "unknown_id": ['a{"type":"ack","id":"0000000000000000","ok":true}', 'a{"type":"done","id":"../../etc"}'],
    "id_not_string": ['a{"type":"ack","id":7,"ok":true}', 'a{"type":"ack","id":["$0"]}'],
    "long_id": ['a{"type":"ack","id":"$0' + "0" * 70 + '","ok":true}'],
    "malformed": ['anot json', 'a[]', 'a42', 'a{"type":"ack"', 'a' + "[" * 2000, 'a\u00e9\u2603'],
    "unknown_types": ['a{"type":"format-disk"}', 'a{}', 'a{"type":7}', 'a{"type":"ACK","id":"$0"}',
                      'a{"type":"error","error":"x"}'],
    "status_long": ['a{"type":"status","clientVersion":"' + "v" * 100 + '","pageUrl":"' + "p" * 3000 + '"}'],
    "duplicate_keys": ['a{"type":"status","type":"ack","id":"$0","ok":true}'],
    "nul_in_json": ['a{"type":"ack","id":"$0\u0000","ok":true}'],
}.items():
    write("kiosk_message", name, "\n".join(lines))

# ticket: request heads, each optionally prefixed "+<seconds> " (clock) or
# "! " (revoke token A); $A / $B = tokens A and B, $T = the last ticket.
def post(origin="https://kiosk.example", token="$A", extra=""):
    o = f"Origin: {origin}\r\n" if origin is not None else ""
    return (f"POST /v1/tickets HTTP/1.1\r\nHost: 127.0.0.1\r\n{o}"
            f"Authorization: Bearer {token}\r\nContent-Length: 0\r\n{extra}\r\n")


def redeem(origin="https://kiosk.example", ticket="$T", extra=""):
    o = f"Origin: {origin}\r\n" if origin is not None else ""
    return (f"GET /v1/kiosk?ticket={ticket} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\n{o}{extra}\r\n")


for name, parts in {
    "issue_and_redeem_twice": [post(), redeem(), redeem()],
    "redeem_other_origin": [post(), redeem("http://10.0.0.5:8080"), redeem()],
    "redeem_foreign_origin": [post(), redeem("https://evil.example"), redeem()],
    "redeem_without_origin": [post(), redeem(None), redeem()],
    "redeem_late": [post(), "+31 " + redeem()],
    "redeem_just_in_time": [post(), "+29 " + redeem()],
    "bound_token": [post(token="$B"), redeem()],
    "bound_token_other_origin": [post("http://10.0.0.5:8080", "$B"), redeem("http://10.0.0.5:8080")],
    "ticket_outlives_token": [post(token="$B"), "+19 " + redeem(), post(token="$B"), "+2 " + redeem()],
    "revoked_after_issue": [post(), "! " + redeem()],
    "issue_without_origin": [post(None), redeem()],
    "issue_with_garbage_token": [post(token="x.y.z"), redeem()],
    "issue_two_redeem_first": [post(), post(), redeem()],
    "too_many_tickets": [post()] * 9,
    "random_ticket": [redeem(ticket="Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6")],
    "ticket_and_header": [post(), redeem(extra="Authorization: Bearer $A\r\n")],
    "two_tickets": [post(), redeem(ticket="$T&ticket=$T")],
    "percent_encoded_ticket": [post(), redeem(ticket="%24T")],
    "empty_ticket": [redeem(ticket="")],
    "ticket_in_post": [post(), post(extra="X: $T\r\n").replace("/v1/tickets", "/v1/tickets?ticket=$T")],
}.items():
    write("ticket", name, "".join(parts))
