-- wrk script: one-minute gifts through POST /api/v1/transfers/, each from a random logged-in member
-- to another, each with its own Idempotency-Key. Arguments after `--`: the tokens file (one
-- "session_token user_id" per line) and the network's slug. Prints one JSON line when done.
local threads = {}

function setup(thread)
    thread:set("thread_number", #threads + 1)
    table.insert(threads, thread)
end

function init(args)
    members = {}
    for line in io.lines(args[1]) do
        local token, id = line:match("(%S+)%s+(%d+)")
        table.insert(members, { token = token, id = id })
    end
    network = args[2]
    run = tostring(os.time())
    sent = 0
    math.randomseed(os.time() * 100 + thread_number)
end

function request()
    sent = sent + 1
    local payer = math.random(#members)
    local payee = math.random(#members - 1)
    if payee >= payer then
        payee = payee + 1
    end
    local body = string.format('{"network": "%s", "kind": "gift", "to_member": %s, "minutes": 1}', network,
        members[payee].id)
    return wrk.format("POST", "/api/v1/transfers/", {
        ["Content-Type"] = "application/json",
        ["X-Forwarded-Proto"] = "https",
        ["X-Session-Token"] = members[payer].token,
        ["Idempotency-Key"] = string.format("wrk-%s-%d-%d", run, thread_number, sent),
    }, body)
end

function done(summary, latency, requests)
    local e = summary.errors
    local errors = e.connect + e.read + e.write + e.status + e.timeout
    local seconds = summary.duration / 1e6
    io.write(string.format(
        '{"requests": %d, "gifts_per_s": %.1f, "errors": %d, "p50_ms": %.1f, "p99_ms": %.1f}\n',
        summary.requests, (summary.requests - errors) / seconds, errors,
        latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
