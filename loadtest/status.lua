-- wrk script: counts answers by HTTP status (shedding shows as 503).
local counts = {}
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end
function done(summary, latency, requests)
  local parts = {}
  for status, n in pairs(counts) do parts[#parts + 1] = status .. ":" .. n end
  table.sort(parts)
  io.write("statuses " .. table.concat(parts, " ") .. "\n")
end
