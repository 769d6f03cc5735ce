#!/usr/bin/env python3
"""Heap bytes per kiosk, by who asked for them, from two heaptrack runs.

Usage: bench/heap-per-kiosk.py SMALL.txt N_SMALL LARGE.txt N_LARGE

Each file is `heaptrack_print --flamegraph-cost-type peak -F FILE` of the
headless server holding N kiosks (docs/performance.md, "Known limits").
Subtracting the two runs stack by stack and dividing by the difference in
kiosks leaves what each kiosk costs; the server's fixed memory drops out.

A stack is charged to its innermost KioskGate frame and to the first named
function that frame called. Stacks whose innermost KioskGate frame is the
event loop, or the socket's construction inside DirectWriteSocket::adopt,
are Qt's own (QWebSocketServer's handshake, the QWebSocket, the socket).
"""
import collections
import re
import sys

QT_CALLEES_OF_ADOPT = ('QTcpSocket::QTcpSocket', 'QAbstractSocket::setSocketDescriptor')


def plain(frame):
    return re.sub(r' ?\(.*', '', frame)


def load(path):
    cost = collections.Counter()
    with open(path) as lines:
        for line in lines:
            stack, _, bytes_ = line.rstrip('\n').rpartition(' ')
            frames = [f for f in stack.split(';') if f]
            ours = [i for i, f in enumerate(frames) if 'KioskGate::' in f]
            if not ours:
                cost[('(no KioskGate frame)', plain(frames[-1]) if frames else '?')] += int(bytes_)
                continue
            below = [plain(f) for f in frames[ours[-1] + 1:] if not f.startswith('0x')]
            cost[(plain(frames[ours[-1]]), below[0] if below else '(itself)')] += int(bytes_)
    return cost


def is_qt(key):
    frame, callee = key
    return 'EpollEventDispatcher::processEvents' in frame or (
        'DirectWriteSocket::adopt' in frame and callee in QT_CALLEES_OF_ADOPT)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    small, n_small, large, n_large = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    if n_large <= n_small:
        sys.exit('heap-per-kiosk: the second run must hold more kiosks than the first')
    a, b = load(large), load(small)
    per = {k: (a[k] - b[k]) / (n_large - n_small) for k in set(a) | set(b)}
    total = sum(per.values())
    qt = sum(v for k, v in per.items() if is_qt(k))
    print(f'{total:8.0f} B per kiosk in all')
    print(f'{qt:8.0f} B Qt\'s own (event loop or socket construction, no KioskGate frame below)')
    print(f'{total - qt:8.0f} B the rest, by innermost KioskGate frame:')
    for (frame, callee), v in sorted(per.items(), key=lambda kv: -kv[1]):
        if not is_qt((frame, callee)) and abs(v) >= 8:
            print(f'{v:8.0f}  {frame[:80]}  -> {callee[:50]}')


if __name__ == '__main__':
    main()
