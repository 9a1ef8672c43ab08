-- wrk script: rotate over request paths, one per line in the file named by
-- $IOP_PATHS (made by bench/http.sh), each thread starting at its own offset,
-- and print one machine-readable summary line at the end.
--
--   IOP_PATHS=paths.txt wrk -t2 -c32 -d20s --latency -s bench/paths.lua http://127.0.0.1:PORT

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

local threads = 0
function setup(thread)
  thread:set("thread_id", threads)
  threads = threads + 1
end

local i = 0
function init(args)
  -- spread the threads over the list so they do not ask the same thing
  i = ((thread_id or 0) * 7919) % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format(nil, paths[i])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "IOPBENCH requests=%d seconds=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f "
      .. "bytes=%d non2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d paths=%d\n",
    summary.requests,
    summary.duration / 1e6,
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000,
    latency:percentile(90) / 1000,
    latency:percentile(99) / 1000,
    latency.max / 1000,
    summary.bytes,
    e.status,
    e.connect,
    e.read,
    e.write,
    e.timeout,
    #paths
  ))
end
