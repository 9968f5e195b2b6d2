"""Driver for bench/function-app.sh: measures a running standalone app over HTTP (stdlib + wrk)."""
import argparse, json, re, statistics, subprocess, tempfile, time, urllib.request


def call(url, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST" if data else "GET", headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def wait_ready(base):
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            call(base + "/api/ready")
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit("error: the app did not become ready in 120 s")


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def event_to_recommendation(base, name, items, stamp, n=40):
    """One event for a fresh user, then poll its recommendations until they are personalized."""
    latencies = []
    for i in range(n):
        user = f"{name}-fresh-{i}"
        start = time.perf_counter()
        call(base + "/api/events", {"eventId": f"{user}-e", "userId": user, "itemId": items[i * 7], "rating": 5, "timestamp": stamp})
        while call(f"{base}/api/users/{user}/recommendations?k=1")["userState"] != "personalized":
            time.sleep(0.002)
        latencies.append((time.perf_counter() - start) * 1000)
    return latencies


def events_per_second(base, name, items, stamp, users=200, per_user=10):
    """users x per_user events posted 100 at a time; done when every user's window holds all of its events."""
    events = [{"eventId": f"{name}-t-{u}-{j}", "userId": f"{name}-t-{u}", "itemId": items[(u * 31 + j * 7) % len(items)],
               "rating": 4, "timestamp": stamp + j} for j in range(per_user) for u in range(users)]
    start = time.perf_counter()
    for k in range(0, len(events), 100):
        call(base + "/api/events", events[k:k + 100])
    for u in range(users):
        while True:
            answer = call(f"{base}/api/users/{name}-t-{u}/recommendations?k=1")
            if answer["userState"] == "personalized" and answer["recentInteractions"] == per_user:
                break
            time.sleep(0.005)
    return len(events) / (time.perf_counter() - start), len(events), users


def recommend_load(base, name, users, connections, duration, personalized):
    """wrk, k=10, seen items excluded: over the personalized users (the same 200 read again and again) or 1,000 cold ones."""
    pick = f"'{name}-t-' .. (counter % {users})" if personalized else "'cold-' .. (counter % 1000)"
    script = (
        "counter = 0\n"
        "request = function()\n"
        "  counter = counter + 1\n"
        f"  return wrk.format('GET', '/api/users/' .. {pick} .. '/recommendations?k=10')\n"
        "end\n")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", f.name, base + "/"],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    dist = dict(re.findall(r"\s(50|75|90|99)%\s+([\d.]+\w+)", out))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, dist, int(errors.group(1)) if errors else 0


def check_cache(base, name, expected):
    """After the load, a personalized user's answer must say whether it came from the result cache as this phase claims."""
    answer = call(f"{base}/api/users/{name}-t-0/recommendations?k=10")
    if answer["userState"] != "personalized" or answer["cached"] != expected:
        raise SystemExit(f"error: expected a personalized answer with cached={expected}, got userState={answer['userState']} cached={answer['cached']}")


def report_load(a, users, items, personalized, cache):
    rps, dist, errors = recommend_load(a.url, a.name, users, a.connections, a.duration, personalized)
    if personalized:
        check_cache(a.url, a.name, cache == "on")
        kind = (f"{users} personalized users, result cache ON (repeated reads: served from the cache)" if cache == "on"
                else f"{users} personalized users, result cache OFF (capacity 0: every request scores all {len(items):,} items)")
    else:
        kind = "1,000 cold users (ranking precomputed per version; the result cache is not used)"
    print(f"[{a.name}] recommend k=10, {kind}: {rps:,.0f} req/s, p50 {dist.get('50')}, p99 {dist.get('99')} "
          f"({a.connections} connections, {a.duration} s, non-2xx {errors})")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--items", required=True, help="the checkpoint's manifest.json (its itemIds)")
    p.add_argument("--duration", type=int, default=15)
    p.add_argument("--connections", type=int, default=16)
    p.add_argument("--result-cache", choices=["on", "off"], default="on",
                   help="on: the full run (events, then recommend load); off: the app runs with ResultCacheCapacity=0 "
                        "over the users an 'on' run created, and only the personalized load is measured")
    a = p.parse_args()
    wait_ready(a.url)
    items = json.load(open(a.items))["itemIds"]
    users = 200
    if a.result_cache == "off":
        report_load(a, users, items, personalized=True, cache="off")
        return
    stamp = int(time.time())
    latencies = event_to_recommendation(a.url, a.name, items, stamp)
    rate, count, users = events_per_second(a.url, a.name, items, stamp, users=users)
    print(f"[{a.name}] event -> updated recommendation: median {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms (n={len(latencies)})")
    print(f"[{a.name}] events through the standalone path: {rate:,.0f} events/s ({count} events for {users} users, posted 100 per request)")
    report_load(a, users, items, personalized=True, cache="on")
    report_load(a, users, items, personalized=False, cache="on")


if __name__ == "__main__":
    main()
