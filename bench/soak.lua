-- wrk script of bench/soak.sh: rotate over request paths, one per line in the
-- file named by $IOP_PATHS, like bench/paths.lua, and also count the answers
-- by status class, so a 5xx is told apart from the 4xx the mix asks for.
--
--   IOP_PATHS=paths.txt wrk -t2 -c256 -d120s --timeout 10s -s bench/soak.lua http://127.0.0.1:PORT

local file = os.getenv("IOP_PATHS")
if file == nil then
  error("set IOP_PATHS to a file of request paths, one per line")
end
local paths = {}
for line in io.lines(file) do
  if #line > 0 then
    paths[#paths + 1] = line
  end
end
if #paths == 0 then
  error("no paths in " .. file)
end

local threads = {}
function setup(thread)
  thread:set("thread_id", #threads)
  threads[#threads + 1] = thread
end

local i = 0
function init(args)
  i = ((thread_id or 0) * 7919) % #paths
  s2, s3, s4, s429, s5 = 0, 0, 0, 0, 0
end

function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end

function response(status, headers, body)
  if status >= 500 then
    s5 = s5 + 1
  elseif status == 429 then
    s429 = s429 + 1
  elseif status >= 400 then
    s4 = s4 + 1
  elseif status >= 300 then
    s3 = s3 + 1
  else
    s2 = s2 + 1
  end
end

function done(summary, latency, requests)
  local c = { s2 = 0, s3 = 0, s4 = 0, s429 = 0, s5 = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(c) do
      c[k] = c[k] + (t:get(k) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    "IOPSOAK requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
      .. "s2xx=%d s3xx=%d s4xx=%d s429=%d s5xx=%d connect_errors=%d read_errors=%d write_errors=%d "
      .. "timeouts=%d paths=%d\n",
    summary.requests,
    summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(90) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    c.s2, c.s3, c.s4, c.s429, c.s5,
    e.connect,
    e.read,
    e.write,
    e.timeout,
    #paths
  ))
end
