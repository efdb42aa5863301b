#!/usr/bin/env python3
"""The libtaxii side of the TAXIIXML benchmark: parse + serialize the same Poll_Response.

    python Benchmarks/taxii_libtaxii.py [--seconds 10]

Reads Benchmarks/Benchmarks/TAXIIXML/poll_response_10x2KB.xml (a TAXII 1.1 Poll_Response with 10
content blocks of about 2.2 KB of STIX 1.2 each), then repeats one operation for --seconds:
libtaxii.messages_11.get_message_from_xml(bytes) followed by message.to_xml(). Prints messages per
second, microseconds per message (median of 1-second batches) and the process's peak resident
memory (ru_maxrss). Needs libtaxii==1.1.119 and lxml (e.g. the .venv-libtaxii of
Tests/Interop/run-libtaxii.sh).
"""
import argparse
import os
import resource
import statistics
import time

import libtaxii.messages_11 as tm11

HERE = os.path.dirname(os.path.abspath(__file__))
INPUT = os.path.join(HERE, 'Benchmarks', 'TAXIIXML', 'poll_response_10x2KB.xml')


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seconds', type=float, default=10.0)
    arguments = parser.parse_args()
    startup_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with open(INPUT, 'rb') as handle:
        data = handle.read()
    message = tm11.get_message_from_xml(data)
    assert len(message.content_blocks) == 10

    for _ in range(200):  # warm-up, as the Swift side
        tm11.get_message_from_xml(data).to_xml()

    rates = []
    total = 0
    start = time.perf_counter()
    while time.perf_counter() - start < arguments.seconds:
        batch_start = time.perf_counter()
        count = 0
        while time.perf_counter() - batch_start < 1.0:
            tm11.get_message_from_xml(data).to_xml()
            count += 1
        rates.append(count / (time.perf_counter() - batch_start))
        total += count
    elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print('libtaxii %s, input %d bytes' % (getattr(tm11, '__version__', '1.1.119'), len(data)))
    print('messages/s (median of 1 s batches): %.0f' % statistics.median(rates))
    print('messages/s (best 1 s batch): %.0f' % max(rates))
    print('messages/s (overall): %.0f over %d messages in %.1f s' % (total / elapsed, total, elapsed))
    print('µs per message (median): %.1f' % (1e6 / statistics.median(rates)))
    print('peak resident memory: %.1f MB (%.1f MB before the first message)' % (peak_kib / 1024, startup_kib / 1024))


if __name__ == '__main__':
    main()
