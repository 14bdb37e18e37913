-- wrk script: counts answers by HTTP status (shedding shows as 503) and by
-- the body's "code" (upstream and yxgate answer HTTP 200 for business
-- outcomes: a rate-limited answer is HTTP 200 with code 416). Each wrk
-- thread has its own Lua state: counts are collected in done(). Other
-- scripts load it with dofile() to count the same way.
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {}; codes = {} end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local code = body and string.match(body, '^{"code":(%d+)') or "-"
  codes[code] = (codes[code] or 0) + 1
end
local function merge(name)
  local total = {}
  for _, thread in ipairs(threads) do
    for k, n in pairs(thread:get(name)) do total[k] = (total[k] or 0) + n end
  end
  local parts = {}
  for k, n in pairs(total) do parts[#parts + 1] = k .. "=" .. n end
  table.sort(parts)
  return table.concat(parts, " ")
end
function done(summary, latency, requests)
  io.write("statuses " .. merge("statuses") .. "\n")
  io.write("codes " .. merge("codes") .. "\n")
end
