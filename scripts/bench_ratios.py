"""The ratios of `make bench`: our time over the peer's (PyTorch, or Foolbox 3 for attacks) for
every workload both ran, the target each ratio should meet, both peak memories and, for attacks,
both results.

    python scripts/bench_ratios.py .build/bench-ours.txt .build/bench-torch.txt .build/bench-foolbox.txt

Each input line is `ENGINE WORKLOAD seconds=S [asr=A l2x1000=L] [rss_mb=M]`; lines starting
with `#` (the machine) are printed as they are.
"""

from __future__ import annotations

import sys

# The speed targets (ours/peer): at most these; boundary also at equal or smaller L2.
TARGETS = {"lenet-epoch": 0.5, "bim100": 0.5, "resnet18-epoch": 0.5, "cwl2": 0.3, "boundary": 1.0,
           "bnn-d-epoch": 0.7}
# Ours against our own float path: the XNOR-popcount kernels should be 5x faster.
SELF_TARGETS = {"bnn-d-query": ("float_seconds", "float convolutions", 0.2)}
PEER_NAMES = {"torch": "pytorch", "foolbox": "foolbox3"}


def parse(paths: list[str]) -> tuple[list[str], dict[tuple[str, str], dict[str, float]], list[str]]:
    header, rows, order = [], {}, []
    for path in paths:
        try:
            lines = open(path).read().splitlines()
        except OSError as e:
            print(f"warning: {e}", file=sys.stderr)
            continue
        for line in lines:
            if line.startswith("#"):
                if line not in header:  # each run of a workload names the machine again
                    header.append(line)
                continue
            parts = line.split()
            if len(parts) < 3 or "=" not in parts[2]:
                continue
            engine, workload = parts[0], parts[1]
            fields = {}
            for kv in parts[2:]:
                k, _, v = kv.partition("=")
                if k == "trace":
                    fields[k] = [tuple(float(x) for x in point.split(":")) for point in v.split(",") if ":" in point]
                    continue
                try:
                    fields[k] = float(v)
                except ValueError:
                    pass
            rows[engine, workload] = fields
            if workload not in order:
                order.append(workload)
    return header, rows, order


def main() -> None:
    header, rows, order = parse(sys.argv[1:])
    for line in header:
        print(line)
    for w in order:
        ours = rows.get(("ours", w))
        if ours and w in SELF_TARGETS and SELF_TARGETS[w][0] in ours:
            key, name, target = SELF_TARGETS[w]
            ratio = ours["seconds"] / ours[key]
            print(f"ratio {w} ours/{name} = {ratio:.2f}  target <= {target:.2f}: {'met' if ratio <= target else 'NOT met'}"
                  f"   (xnor {ours['seconds']:.2f} s, float {ours[key]:.2f} s"
                  + (f"; peak RSS {ours['rss_mb']:.0f} MB" if "rss_mb" in ours else "") + ")")
        peers = [(e, f) for (e, k), f in rows.items() if k == w and e != "ours"]
        if not ours or not peers:
            continue
        engine, peer = peers[0]
        ratio = ours["seconds"] / peer["seconds"]
        name = PEER_NAMES.get(engine, engine)
        target = TARGETS.get(w)
        verdict = "" if target is None else f"  target <= {target:.2f}: {'met' if ratio <= target else 'NOT met'}"
        if w == "boundary" and target is not None and "l2x1000" in ours and "l2x1000" in peer and ours["l2x1000"] > peer["l2x1000"]:
            verdict += " (our L2 is larger)"
        extras = []
        if "asr" in ours and "asr" in peer:
            extras.append(f"ASR ours {ours['asr']:.2f}, {name} {peer['asr']:.2f}; "
                          f"L2x1000 ours {ours.get('l2x1000', float('nan')):.3f}, {name} {peer.get('l2x1000', float('nan')):.3f}")
        if "rss_mb" in ours or "rss_mb" in peer:
            def mb(f):
                return f"{f['rss_mb']:.0f} MB" if "rss_mb" in f else "?"
            extras.append(f"peak RSS ours {mb(ours)}, {name} {mb(peer)}")
        if "trace" in ours and "l2x1000" in peer:
            # When our mean L2 first reached the peer's final one (the trace starts after the start).
            reached = next((t for t, l2 in ours["trace"] if l2 <= peer["l2x1000"]), None)
            extras.append(f"ours reached {name}'s final L2 after {reached:.1f} s ({reached / peer['seconds']:.2f} of its time)"
                          if reached is not None else f"ours never reached {name}'s final L2")
        print(f"ratio {w} ours/{name} = {ratio:.2f}{verdict}" + (f"   ({'; '.join(extras)})" if extras else ""))


if __name__ == "__main__":
    main()
